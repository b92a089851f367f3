namespace Bulwark.Api.Models.Audit;

/// <summary>
/// One line of bulwarkd's audit log (and of <c>GET /bulwark/audit</c>): a state-changing request, a denial, or a seal.
/// Each carries the hash of the entry before it; a seal carries a MAC over that hash made with a key kept outside the log.
/// </summary>
public sealed record AuditEntry
{
    public const string RequestType = "request";
    public const string SealType = "seal";

    public long Seq { get; init; }
    /// <summary>UTC, ISO 8601 with fractional seconds.</summary>
    public string Time { get; init; } = "";
    public string Type { get; init; } = RequestType;
    public string? Identity { get; init; }
    public string? Role { get; init; }
    public string? Transport { get; init; }
    public int? Pid { get; init; }
    public string? Remote { get; init; }
    public string? Action { get; init; }
    public string? Target { get; init; }
    /// <summary><c>ok</c>, <c>error</c> (the request failed) or <c>denied</c> (authorization refused it).</summary>
    public string? Outcome { get; init; }
    public int? Status { get; init; }
    public string? RequestId { get; init; }
    /// <summary>Hash of the previous entry (64 zeros for the first).</summary>
    public string Prev { get; init; } = "";
    /// <summary>Seals only: HMAC-SHA256 over <see cref="Prev"/> and <see cref="Seq"/> with the seal key.</summary>
    public string? Mac { get; init; }
    /// <summary>SHA-256 of the entry's own line up to this field.</summary>
    public string? Hash { get; init; }
}
