using Bulwark.Engine.Content;

namespace Bulwark.Engine.Images.Archives;

/// <summary>An image found in an archive, not yet in the store. Manifest* are null when the archive has none (docker-save legacy).</summary>
internal sealed record PendingImage(
    byte[] ConfigBytes,
    Digest ConfigDigest,
    IReadOnlyList<PendingLayer> Layers,
    byte[]? ManifestBytes,
    Digest? ManifestDigest,
    string? ManifestMediaType,
    IReadOnlyList<ImageReference> Names);
