namespace Bulwark.Audit.Vulnerabilities;

/// <summary>Trivy's severity scale, lowest first.</summary>
public enum Severity
{
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}
