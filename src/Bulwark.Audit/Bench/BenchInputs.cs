using System.Text.Json;

namespace Bulwark.Audit.Bench;

/// <summary>
/// Everything the checks read, gathered once: the endpoint's <c>/info</c> and <c>/version</c>, the inspect documents of
/// running containers and of images, and what the local host shows about the daemon process behind the socket.
/// </summary>
public sealed record BenchInputs(
    JsonElement Info,
    JsonElement Version,
    IReadOnlyList<JsonElement> Containers,
    IReadOnlyList<JsonElement> Images,
    DaemonProcess? Daemon,
    FileFacts? Socket,
    IReadOnlyList<FileFacts> ConfigFiles,
    IReadOnlyList<MountPoint> MountPoints,
    IReadOnlyDictionary<string, string>? Environment = null);

/// <summary>Owner, group (with names when known) and permission bits of a path on the daemon's host.</summary>
public sealed record FileFacts(string Path, uint Uid, uint Gid, uint Mode, string? GroupName, IReadOnlyList<string> GroupMembers);

/// <summary>A mount from /proc/self/mountinfo: where it is and which device (major:minor) backs it.</summary>
public sealed record MountPoint(string Path, string Device);
