namespace Bulwark.Audit.Bench;

/// <summary>docker-bench-security's outcomes: PASS, WARN (the control is not met), INFO (a fact to review), NOTE (manual).</summary>
public enum BenchResult
{
    Pass,
    Warn,
    Info,
    Note,
}
