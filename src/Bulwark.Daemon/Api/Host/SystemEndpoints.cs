using Bulwark.Api.Models;
using Bulwark.Api.Models.System;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Containers;

namespace Bulwark.Daemon.Api.Host;

/// <summary><c>/_ping</c>, <c>/version</c>, <c>/info</c>.</summary>
internal static class SystemEndpoints
{
    public const string Version = "0.1.0";

    public static void Map(DockerApiRouter router, DaemonServices services)
    {
        router.Map("HEAD", "/_ping", ctx => PingAsync(ctx, head: true));
        router.Map("GET", "/_ping", ctx => PingAsync(ctx, head: false));
        router.Map("GET", "/version", ctx => VersionAsync(ctx, services));
        router.Map("GET", "/info", ctx => InfoAsync(ctx, services));
        router.Map("GET", "/system/df", ctx => DiskUsageAsync(ctx, services));
    }

    private static Task PingAsync(HttpContext ctx, bool head)
    {
        ctx.Response.SetHeader("Cache-Control", "no-cache, no-store, must-revalidate");
        ctx.Response.SetHeader("Pragma", "no-cache");
        return head
            ? ctx.Response.WriteBytesAsync(200, "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, ctx.Aborted)
            : ctx.Response.WriteTextAsync(200, "text/plain; charset=utf-8", "OK", ctx.Aborted);
    }

    private static Task VersionAsync(HttpContext ctx, DaemonServices s)
    {
        var runtime = s.Containers.Runtime;
        var body = new VersionResponse
        {
            Platform = new PlatformInfo("Bulwark Engine"),
            Components =
            [
                new ComponentVersion("Engine", Version, new Dictionary<string, string>
                {
                    ["ApiVersion"] = ApiVersioning.Max,
                    ["MinAPIVersion"] = ApiVersioning.Min,
                    ["GitCommit"] = "",
                    ["GoVersion"] = "dotnet " + Environment.Version,
                    ["Os"] = "linux",
                    ["Arch"] = "amd64",
                    ["KernelVersion"] = HostInfo.KernelVersion,
                    ["BuildTime"] = "",
                    ["Experimental"] = "false",
                }),
                new ComponentVersion(runtime.Name, runtime.Version, new Dictionary<string, string> { ["GitCommit"] = "" }),
            ],
            Version = Version,
            ApiVersion = ApiVersioning.Max,
            MinAPIVersion = ApiVersioning.Min,
            GoVersion = "dotnet " + Environment.Version,
            KernelVersion = HostInfo.KernelVersion,
            BuildTime = "",
        };
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.VersionResponse, ctx.Aborted);
    }

    /// <summary><c>docker system df</c>: image sizes with the number of containers using each, container writable sizes,
    /// volume sizes (apparent sizes of their data) with the number of containers referencing each.</summary>
    private static Task DiskUsageAsync(HttpContext ctx, DaemonServices s)
    {
        var now = DateTimeOffset.UtcNow;
        var containers = s.Containers.List();
        var images = s.Images.List();
        var body = new SystemDfResponse
        {
            LayersSize = images.Sum(i => i.Size),
            Images = [.. images.Select(i => Images.ImageViewMapper.ToSummary(i) with
            {
                Containers = containers.Count(c => c.ImageId == i.Id),
                SharedSize = 0,
            })],
            Containers = [.. containers.Select(c => Containers.ContainerViewMapper.ToSummary(c, now) with
            {
                SizeRw = s.Containers.SizeRw(c.Id),
                SizeRootFs = images.FirstOrDefault(i => i.Id == c.ImageId)?.Size ?? 0,
            })],
            Volumes = [.. s.Volumes.List().Select(v => Volumes.VolumeEndpoints.ToDto(v,
                new Bulwark.Api.Models.Volumes.VolumeUsageData(s.Volumes.SizeOf(v.Name), v.ContainerIds.Count)))],
        };
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.SystemDfResponse, ctx.Aborted);
    }

    private static Task InfoAsync(HttpContext ctx, DaemonServices s)
    {
        var containers = s.Containers.List();
        var runtime = s.Containers.Runtime;
        var warnings = new List<string>();
        if (runtime.FallbackReason is { } reason)
        {
            warnings.Add("WARNING: " + reason);
        }
        var body = new InfoResponse
        {
            ID = s.Options.DaemonId,
            Containers = containers.Count,
            ContainersRunning = containers.Count(c => c.State == ContainerState.Running),
            ContainersPaused = containers.Count(c => c.State == ContainerState.Paused),
            ContainersStopped = containers.Count(c => c.State is not (ContainerState.Running or ContainerState.Paused)),
            Images = s.Images.List().Count,
            Driver = s.SnapshotDriver,
            DriverStatus = [["Backing Filesystem", "extfs"], ["Layer unpacking", "openat2 RESOLVE_IN_ROOT"]],
            SystemTime = DateTimeOffset.Now.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            CgroupVersion = HostInfo.CgroupVersion,
            KernelVersion = HostInfo.KernelVersion,
            OperatingSystem = HostInfo.OperatingSystem,
            NCPU = Environment.ProcessorCount,
            MemTotal = HostInfo.MemTotalBytes,
            DockerRootDir = s.Options.DataRoot,
            Name = Environment.MachineName,
            ServerVersion = Version,
            Runtimes = new Dictionary<string, Bulwark.Api.Models.System.RuntimeInfoDto> { [runtime.Name] = new(runtime.Path) },
            DefaultRuntime = runtime.Name,
            NFd = HostInfo.OpenFileDescriptors,
            SecurityOptions =
            [
                "name=seccomp,profile=bulwark-default",
                "name=no-new-privileges",
                "name=cgroupns",
                .. (s.Options.UsernsRemap is "host" or "" ? new[] { s.Options.Policy.Describe() } : ["name=userns,user=" + s.Options.UsernsRemap, s.Options.Policy.Describe()]),
            ],
            Warnings = warnings,
            Labels = runtime.FallbackReason is { } r ? [$"bulwark.runtime.fallback={r}"] : [],
        };
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.InfoResponse, ctx.Aborted);
    }
}
