using Bulwark.Engine.Content;

namespace Bulwark.Engine.Images.Archives;

/// <summary>A layer found in an archive, not yet in the store.</summary>
internal sealed record PendingLayer(string Name, string SpoolFile, Digest? ExpectedDigest, string? MediaType, long? ExpectedSize);
