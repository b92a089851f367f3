namespace Bulwark.Audit.Bench;

/// <summary>A CIS Docker Benchmark (v1.6/v1.7 numbering) control: id, paraphrased title and profile level.</summary>
public sealed record BenchControl(string Id, string Title, int Level);
