using System.Text.Json.Serialization;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A user-namespace id range mapping.</summary>
public sealed record OciIdMapping
{
    [JsonPropertyName("containerID")]
    public uint ContainerId { get; init; }
    [JsonPropertyName("hostID")]
    public uint HostId { get; init; }
    public uint Size { get; init; }
}
