namespace Bulwark.Audit.Sbom;

/// <summary>An image's software bill of materials: what it is, its distribution, and every package found.</summary>
public sealed record SoftwareBill(string Image, string ImageId, OsRelease? Os, IReadOnlyList<SbomPackage> Packages);
