namespace Bulwark.Api.Models.Containers;

/// <summary>
/// <c>POST /containers/{id}/update</c>: Docker's UpdateConfig (the HostConfig resources plus the restart policy).
/// Fields bulwarkd cannot change on an existing container land in <see cref="Other"/> and are refused by name when set.
/// </summary>
public sealed class ContainerUpdateRequest
{
    public long? Memory { get; set; }
    public long? MemorySwap { get; set; }
    public long? MemoryReservation { get; set; }
    public long? NanoCpus { get; set; }
    public long? CpuShares { get; set; }
    public long? CpuQuota { get; set; }
    public long? CpuPeriod { get; set; }
    public string? CpusetCpus { get; set; }
    public long? PidsLimit { get; set; }
    public RestartPolicy? RestartPolicy { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

/// <summary>The answer to an update: Docker's warnings (none from bulwarkd: it refuses instead).</summary>
public sealed record ContainerUpdateResponse(IReadOnlyList<string> Warnings);
