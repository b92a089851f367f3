namespace Bulwark.Api.Models.Audit;

/// <summary>The result of checking the audit log: its size, its seals, and the first entry that breaks the chain.</summary>
public sealed record AuditVerifyResponse
{
    public bool Ok { get; init; }
    public long Entries { get; init; }
    public long Seals { get; init; }
    public long LastSealedSeq { get; init; }
    /// <summary>Entries after the last seal (their order and content are chained, but not yet covered by a seal).</summary>
    public long Unsealed { get; init; }
    public int Files { get; init; }
    public AuditProblem? FirstBad { get; init; }
}

/// <summary>Where verification failed: file, line, sequence number, and why.</summary>
public sealed record AuditProblem
{
    public string File { get; init; } = "";
    public long Line { get; init; }
    public long? Seq { get; init; }
    public string Reason { get; init; } = "";
}
