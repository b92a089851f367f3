using System.Text.Json;
using Bulwark.Api.Models.Images;
using Bulwark.Engine.Images;

namespace Bulwark.Daemon.Api.Images;

/// <summary>Image records → Docker's list and inspect shapes.</summary>
internal static class ImageViewMapper
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    public static ImageSummary ToSummary(ImageRecord img) => new()
    {
        Id = img.Id,
        RepoTags = img.RepoTags,
        RepoDigests = img.RepoDigests,
        Created = img.Created?.ToUnixTimeSeconds() ?? 0,
        Size = img.Size,
        Labels = img.Config.Labels.Count == 0 ? null : img.Config.Labels,
    };

    public static ImageInspectResponse ToInspect(ImageRecord img, string driver) => new()
    {
        Id = img.Id,
        RepoTags = img.RepoTags,
        RepoDigests = img.RepoDigests,
        Comment = img.Comment ?? "",
        Created = img.Created is { } created ? Containers.ContainerViewMapper.Time(created) : null,
        Author = img.Author ?? "",
        Config = new ImageConfigDto
        {
            User = img.Config.User ?? "",
            Env = img.Config.Env,
            Cmd = img.Config.Cmd,
            Entrypoint = img.Config.Entrypoint,
            WorkingDir = img.Config.WorkingDir ?? "",
            Labels = img.Config.Labels.Count == 0 ? null : img.Config.Labels,
            StopSignal = img.Config.StopSignal,
            ExposedPorts = img.Config.ExposedPorts.Count == 0 ? null : img.Config.ExposedPorts.ToDictionary(p => p, _ => EmptyObject),
            Volumes = img.Config.Volumes.Count == 0 ? null : img.Config.Volumes.ToDictionary(p => p, _ => EmptyObject),
            Healthcheck = img.Config.Healthcheck is { } h
                ? new Bulwark.Api.Models.Containers.HealthConfig
                {
                    Test = [.. h.Test],
                    Interval = h.IntervalNs,
                    Timeout = h.TimeoutNs,
                    StartPeriod = h.StartPeriodNs,
                    Retries = h.Retries,
                }
                : null,
        },
        Architecture = img.Architecture,
        Os = img.Os,
        Size = img.Size,
        GraphDriver = new GraphDriverInfo { Name = driver },
        RootFS = new RootFsDto { Layers = img.DiffIds },
    };
}
