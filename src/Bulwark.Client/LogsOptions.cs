namespace Bulwark.Client;

/// <summary>Query of <c>GET /containers/{id}/logs</c>. <see cref="Tail"/> is a number or <c>all</c>.</summary>
public sealed record LogsOptions
{
    public bool Follow { get; init; }

    public string Tail { get; init; } = "all";

    public bool Timestamps { get; init; }

    /// <summary>Unix seconds (<c>s[.ns]</c>) as the daemon expects, or null.</summary>
    public string? Since { get; init; }

    public bool Stdout { get; init; } = true;

    public bool Stderr { get; init; } = true;
}
