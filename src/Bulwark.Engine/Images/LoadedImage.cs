namespace Bulwark.Engine.Images;

/// <summary>One image made available by a load: its id and, when the archive named it, the familiar reference.</summary>
public sealed record LoadedImage(string ImageId, string? Reference);
