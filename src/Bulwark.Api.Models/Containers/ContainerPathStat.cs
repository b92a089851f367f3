namespace Bulwark.Api.Models.Containers;

/// <summary>
/// The JSON inside the base64 <c>X-Docker-Container-Path-Stat</c> header. <see cref="Mode"/> is Go's os.FileMode
/// (permission bits plus type flags in the high bits: directory 1&lt;&lt;31, symlink 1&lt;&lt;27, …).
/// </summary>
public sealed record ContainerPathStat
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("size")]
    public long Size { get; init; }

    [JsonPropertyName("mode")]
    public uint Mode { get; init; }

    [JsonPropertyName("mtime")]
    public DateTime Mtime { get; init; }

    [JsonPropertyName("linkTarget")]
    public string LinkTarget { get; init; } = "";
}
