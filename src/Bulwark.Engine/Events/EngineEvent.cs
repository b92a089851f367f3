namespace Bulwark.Engine.Events;

/// <summary>Something that happened to an object (container, image), in the order it happened.</summary>
public sealed record EngineEvent(
    string Type,
    string Action,
    string ActorId,
    IReadOnlyDictionary<string, string> Attributes,
    DateTimeOffset Time);
