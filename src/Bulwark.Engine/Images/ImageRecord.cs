namespace Bulwark.Engine.Images;

/// <summary>An image known to the store: its id is the sha256 digest of its config blob ("sha256:…").</summary>
public sealed record ImageRecord
{
    public required string Id { get; init; }
    public IReadOnlyList<string> RepoTags { get; init; } = [];
    public IReadOnlyList<string> RepoDigests { get; init; } = [];
    public DateTimeOffset? Created { get; init; }
    /// <summary>Sum of uncompressed layer sizes in bytes.</summary>
    public long Size { get; init; }
    public required ImageConfig Config { get; init; }
    public string Architecture { get; init; } = "amd64";
    public string Os { get; init; } = "linux";
    public string? Author { get; init; }
    public string? Comment { get; init; }
    /// <summary>Uncompressed layer digests, bottom first.</summary>
    public IReadOnlyList<string> DiffIds { get; init; } = [];
    /// <summary>Chain ids (OCI image spec), bottom first; each names one unpacked snapshot.</summary>
    public IReadOnlyList<string> ChainIds { get; init; } = [];
    /// <summary>History entries (created_by) from the config, oldest first.</summary>
    public IReadOnlyList<ImageHistoryEntry> History { get; init; } = [];
}

public sealed record ImageHistoryEntry(DateTimeOffset? Created, string? CreatedBy, string? Comment, bool EmptyLayer);
