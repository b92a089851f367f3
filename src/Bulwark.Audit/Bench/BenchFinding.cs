namespace Bulwark.Audit.Bench;

/// <summary>One control evaluated against one target (the daemon, a file, a container or an image).</summary>
public sealed record BenchFinding(BenchControl Control, BenchResult Result, string Target, string Evidence);
