using Bulwark.Audit.Sbom;

namespace Bulwark.Audit.Images;

/// <summary>A path of interest as the layers so far leave it: its bytes, a symlink target, or a binary's packages.</summary>
internal sealed record LayerFile(int Layer, byte[]? Content, string? LinkTarget, IReadOnlyList<SbomPackage>? BinaryPackages);
