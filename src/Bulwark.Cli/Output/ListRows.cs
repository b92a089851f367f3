using System.Globalization;
using System.Text.Json;
using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.Networks;
using Bulwark.Api.Models.Secrets;
using Bulwark.Api.Models.Volumes;

namespace Bulwark.Cli.Output;

/// <summary>
/// The rows <c>--format</c> templates see for each list, with the docker CLI's field names and column titles
/// (<c>{{.ID}}</c> of <c>ps</c> is the short ID, <c>{{.RunningFor}}</c> is "2 minutes ago", and so on).
/// </summary>
internal static class ListRows
{
    public static readonly IReadOnlyDictionary<string, string> ContainerHeaders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ID"] = "CONTAINER ID", ["Image"] = "IMAGE", ["Command"] = "COMMAND", ["CreatedAt"] = "CREATED AT", ["RunningFor"] = "CREATED",
        ["Ports"] = "PORTS", ["State"] = "STATE", ["Status"] = "STATUS", ["Size"] = "SIZE", ["Names"] = "NAMES", ["Labels"] = "LABELS",
        ["Mounts"] = "MOUNTS", ["Networks"] = "NETWORKS",
    };

    public static readonly IReadOnlyDictionary<string, string> ImageHeaders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ID"] = "IMAGE ID", ["Repository"] = "REPOSITORY", ["Tag"] = "TAG", ["Digest"] = "DIGEST", ["CreatedSince"] = "CREATED",
        ["CreatedAt"] = "CREATED AT", ["Size"] = "SIZE", ["Containers"] = "CONTAINERS",
    };

    public static readonly IReadOnlyDictionary<string, string> VolumeHeaders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Driver"] = "DRIVER", ["Name"] = "VOLUME NAME", ["Mountpoint"] = "MOUNTPOINT", ["Scope"] = "SCOPE", ["Labels"] = "LABELS",
        ["CreatedAt"] = "CREATED AT",
    };

    public static readonly IReadOnlyDictionary<string, string> NetworkHeaders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ID"] = "NETWORK ID", ["Name"] = "NAME", ["Driver"] = "DRIVER", ["Scope"] = "SCOPE", ["IPv6"] = "IPV6", ["Internal"] = "INTERNAL",
        ["CreatedAt"] = "CREATED AT", ["Labels"] = "LABELS",
    };

    public static readonly IReadOnlyDictionary<string, string> SecretHeaders = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ID"] = "ID", ["Name"] = "NAME", ["Driver"] = "DRIVER", ["CreatedAt"] = "CREATED", ["UpdatedAt"] = "UPDATED", ["Labels"] = "LABELS",
        ["Version"] = "VERSION", ["Versions"] = "VERSIONS",
    };

    public static List<JsonElement> Containers(IReadOnlyList<ContainerSummary> list, bool noTrunc, DateTimeOffset now) =>
        [.. list.Select(c => new JsonRow()
            .Add("Command", HumanUnits.Quote(noTrunc ? c.Command : HumanUnits.Ellipsis(c.Command, 20)))
            .Add("CreatedAt", Time(DateTimeOffset.FromUnixTimeSeconds(c.Created)))
            .Add("ID", noTrunc ? c.Id : Commands.PsCommand.ShortId(c.Id))
            .Add("Image", c.Image)
            .Add("Labels", Labels(c.Labels))
            .Add("Mounts", string.Join(',', c.Mounts.Select(m => m.Name ?? m.Source)))
            .Add("Names", string.Join(',', c.Names.Select(n => n.TrimStart('/'))))
            .Add("Networks", string.Join(',', c.NetworkSettings.Networks.Keys.Order(StringComparer.Ordinal)))
            .Add("Ports", PortsText.Render(c.Ports))
            .Add("RunningFor", HumanUnits.Ago(c.Created, now))
            .Add("Size", c.SizeRw is { } rw ? HumanUnits.Size(rw) : "0B")
            .Add("State", c.State)
            .Add("Status", c.Status)
            .Build())];

    public static List<JsonElement> Images(IReadOnlyList<ImageSummary> list, bool noTrunc, DateTimeOffset now)
    {
        var rows = new List<JsonElement>();
        foreach (var image in list)
        {
            var tags = image.RepoTags.Where(t => t != "<none>:<none>").DefaultIfEmpty("").ToList();
            foreach (var reference in tags)
            {
                var (repository, tag) = Commands.ImageCommands.SplitReference(reference);
                rows.Add(new JsonRow()
                    .Add("Containers", image.Containers < 0 ? "N/A" : image.Containers.ToString(CultureInfo.InvariantCulture))
                    .Add("CreatedAt", Time(DateTimeOffset.FromUnixTimeSeconds(image.Created)))
                    .Add("CreatedSince", HumanUnits.Ago(image.Created, now))
                    .Add("Digest", image.RepoDigests is [var d, ..] ? d[(d.IndexOf('@', StringComparison.Ordinal) + 1)..] : "<none>")
                    .Add("ID", noTrunc ? image.Id : Commands.PsCommand.ShortId(image.Id))
                    .Add("Repository", repository)
                    .Add("Size", HumanUnits.Size(image.Size))
                    .Add("Tag", tag)
                    .Build());
            }
        }

        return rows;
    }

    public static List<JsonElement> Volumes(IReadOnlyList<VolumeDto> list) =>
        [.. list.OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => new JsonRow()
            .Add("CreatedAt", v.CreatedAt)
            .Add("Driver", v.Driver)
            .Add("Labels", Labels(v.Labels))
            .Add("Mountpoint", v.Mountpoint)
            .Add("Name", v.Name)
            .Add("Scope", v.Scope)
            .Build())];

    public static List<JsonElement> Networks(IReadOnlyList<NetworkDto> list, bool noTrunc) =>
        [.. list.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new JsonRow()
            .Add("CreatedAt", n.Created)
            .Add("Driver", n.Driver)
            .Add("ID", noTrunc ? n.Id : Commands.PsCommand.ShortId(n.Id))
            .Add("IPv6", n.EnableIPv6 ? "true" : "false")
            .Add("Internal", n.Internal ? "true" : "false")
            .Add("Labels", Labels(n.Labels))
            .Add("Name", n.Name)
            .Add("Scope", n.Scope)
            .Build())];

    public static List<JsonElement> Secrets(IReadOnlyList<SecretDto> list, DateTimeOffset now) =>
        [.. list.OrderBy(s => s.Spec.Name, StringComparer.Ordinal).Select(s => new JsonRow()
            .Add("CreatedAt", Since(s.CreatedAt, now))
            .Add("Driver", "")
            .Add("ID", s.ID)
            .Add("Labels", Labels(s.Spec.Labels))
            .Add("Name", s.Spec.Name)
            .Add("UpdatedAt", Since(s.UpdatedAt, now))
            .Add("Version", s.Version.Index.ToString(CultureInfo.InvariantCulture))
            .Add("Versions", string.Join(",", s.Versions.Select(v => v.Index.ToString(CultureInfo.InvariantCulture))))
            .Build())];

    /// <summary>"2 minutes ago" for an RFC 3339 time, or the text itself when it is not one.</summary>
    public static string Since(string time, DateTimeOffset now) =>
        DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? HumanUnits.Duration(now - t) + " ago"
            : time;

    /// <summary>Go's time.Time String form, as docker prints CreatedAt: "2026-12-03 10:08:17 +0000 UTC".</summary>
    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC";

    private static string Labels(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? "" : string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
}
