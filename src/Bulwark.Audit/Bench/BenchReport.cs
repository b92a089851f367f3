namespace Bulwark.Audit.Bench;

/// <summary>The findings of one run, in control order, and the endpoint they describe.</summary>
public sealed record BenchReport(string Endpoint, string Daemon, IReadOnlyList<BenchFinding> Findings)
{
    public int Count(BenchResult result) => Findings.Count(f => f.Result == result);
}
