using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.Volumes;

namespace Bulwark.Api.Models.System;

/// <summary><c>GET /system/df</c>.</summary>
public sealed record SystemDfResponse
{
    public long LayersSize { get; init; }
    public IReadOnlyList<ImageSummary> Images { get; init; } = [];
    public IReadOnlyList<ContainerSummary> Containers { get; init; } = [];
    public IReadOnlyList<VolumeDto> Volumes { get; init; } = [];
    public IReadOnlyList<JsonElement> BuildCache { get; init; } = [];
}
