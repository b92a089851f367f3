using Bulwark.Audit.Sbom;

namespace Bulwark.Audit.Vulnerabilities;

/// <summary>An image's SBOM and the findings that pass the severity filter.</summary>
public sealed record ScanReport(SoftwareBill Bill, IReadOnlyList<Finding> Findings, bool DatabasePresent);
