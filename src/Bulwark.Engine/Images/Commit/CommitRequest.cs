namespace Bulwark.Engine.Images.Commit;

/// <summary><c>docker commit</c>: which container, the new image's name (none when <see cref="Repository"/> is empty), its metadata.</summary>
public sealed record CommitRequest
{
    public required string Container { get; init; }
    public string? Repository { get; init; }
    public string? Tag { get; init; }
    public string? Comment { get; init; }
    public string? Author { get; init; }
    /// <summary>Freeze the container while its changes are read (Docker's default).</summary>
    public bool Pause { get; init; } = true;
    /// <summary>Dockerfile instructions applied to the new image's config (CMD, ENV, EXPOSE, …).</summary>
    public IReadOnlyList<string> Changes { get; init; } = [];
}
