namespace Bulwark.Audit.Sbom;

/// <summary>
/// One installed package. <see cref="Ecosystem"/>, <see cref="MatchName"/> and <see cref="MatchVersion"/> are what OSV
/// records are matched on (for Debian the source package and its version, for Alpine the origin); they are empty when
/// the ecosystem is unknown, e.g. dpkg on an unrecognised distribution.
/// </summary>
public sealed record SbomPackage(
    string Name,
    string Version,
    PackageKind Kind,
    string Location,
    string? Architecture,
    string Ecosystem,
    string MatchName,
    string MatchVersion,
    string Purl);
