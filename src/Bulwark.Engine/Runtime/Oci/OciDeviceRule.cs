namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A device cgroup rule.</summary>
public sealed record OciDeviceRule
{
    public bool Allow { get; init; }
    public string? Type { get; init; }
    public long? Major { get; init; }
    public long? Minor { get; init; }
    public string? Access { get; init; }
}
