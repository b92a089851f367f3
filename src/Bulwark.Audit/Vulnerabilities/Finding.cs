using Bulwark.Audit.Sbom;

namespace Bulwark.Audit.Vulnerabilities;

/// <summary>One OSV record that affects one installed package.</summary>
public sealed record Finding(
    SbomPackage Package,
    string Id,
    IReadOnlyList<string> Aliases,
    Severity Severity,
    string? FixedVersion,
    string Title);
