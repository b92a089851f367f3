namespace Bulwark.Engine.Security.Policy;

/// <summary>
/// daemon.json <c>"policy": {"scan": {"max-severity": "high", "db": "/path/to/osv-db"}}</c>: images with a known
/// vulnerability above <see cref="MaxSeverity"/> in the offline OSV database at <see cref="Database"/> are not run.
/// </summary>
public sealed record ScanPolicy(string MaxSeverity, string Database)
{
    /// <summary>The severity names max-severity accepts, lowest first (Trivy's scale without UNKNOWN).</summary>
    public static readonly IReadOnlyList<string> Severities = ["low", "medium", "high", "critical"];

    /// <summary>The rule named in refusals.</summary>
    public const string Rule = "policy.scan.max-severity";
}
