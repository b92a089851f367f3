using System.Globalization;
using Bulwark.Integration.Tests.Fixtures;
using Bulwark.Integration.Tests.Security.UserNamespaces;
using Bulwark.Native;

namespace Bulwark.Integration.Tests.Volumes;

/// <summary>
/// A volume an older version stored with owners shifted into the shared range (100000+ style) is converted once to
/// container ids at its first use, so it mounts idmapped with the right owners in any container's range. The volume
/// is planted in the data root before the daemon starts, as the older version left it.
/// </summary>
public sealed class ShiftedVolumeUpgradeTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private const uint Size = 65536;
    private readonly string _user = "bwv" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _root = Path.Combine("/tmp", "bwt-" + Guid.NewGuid().ToString("N")[..8]);
    private DaemonInstance? _d;
    private uint _start;

    private string Data => Path.Combine(_root, "data", "volumes", "legacy", "_data");

    public async Task InitializeAsync()
    {
        _start = SubordinateIds.Add(_user, 3 * Size);
        Directory.CreateDirectory(Data);
        File.WriteAllText(Path.Combine(_root, "data", "volumes", "legacy", "volume.json"),
            """{"Name":"legacy","Driver":"local","CreatedAt":"2026-11-01T10:00:00+00:00","Labels":{},"Options":{},"Anonymous":false}""");
        File.WriteAllText(Path.Combine(Data, "owned-by-app"), "data of uid 1000\n");
        Chown(Data, _start, _start); // the old layout: _data owned by the shared range's root
        Chown(Path.Combine(Data, "owned-by-app"), _start + 1000, _start + 1001);
        _d = await DaemonInstance.StartAsync($$"""{ "userns-remap": "{{_user}}", "userns-ranges": "per-container" }""", _root);
        await _d.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_d is not null)
            {
                await _d.DisposeAsync();
            }
        }
        finally
        {
            SubordinateIds.Remove(_user);
            await ProcessRunner.RunAsync("userdel", [_user]);
            await ProcessRunner.RunAsync("groupdel", [_user]);
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task OldShiftedVolume_IsConvertedOnce_AndReadsWithItsOwnersInsideAContainersOwnRange()
    {
        var d = _d!;
        var r = await d.CliAsync("run", "--rm", "-v", "legacy:/v", Image, "sh", "-c",
            "stat -c '%n=%u:%g' /v /v/owned-by-app; echo written > /v/by-root && echo wrote; cat /proc/self/uid_map");

        Assert.True(r.ExitCode == 0, r + "\n" + d.DaemonLog);
        Assert.Contains("/v=0:0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("/v/owned-by-app=1000:1001", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("wrote", r.Stdout, StringComparison.Ordinal);
        string[] map = r.Stdout.Trim().Split('\n')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        uint hostStart = uint.Parse(map[1], CultureInfo.InvariantCulture);
        Assert.True(hostStart >= _start && hostStart + Size <= _start + 3 * Size, $"range {hostStart} outside the user's ids");

        // On disk: container ids now (the idmapped mount maps them into whichever range mounts the volume).
        Assert.Equal((1000u, 1001u), Owner(Path.Combine(Data, "owned-by-app")));
        Assert.Equal((0u, 0u), Owner(Path.Combine(Data, "by-root")));
        Assert.Contains("\"OwnersUnshifted\":true",
            await File.ReadAllTextAsync(Path.Combine(_root, "data", "volumes", "legacy", "volume.json")), StringComparison.Ordinal);
        Assert.Contains("volume legacy: owners stored shifted", d.DaemonLog, StringComparison.Ordinal);

        var again = await d.CliAsync("run", "--rm", "-v", "legacy:/v", Image, "stat", "-c", "%u:%g", "/v/owned-by-app");
        Assert.Equal("1000:1001", again.Stdout.Trim());
        Assert.Single(d.DaemonLog.Split('\n'), l => l.Contains("volume legacy: owners stored shifted", StringComparison.Ordinal));
    }

    private static void Chown(string path, uint uid, uint gid) =>
        Assert.Equal(0, Interop.Fchownat(Interop.AtFdCwd, path, uid, gid, Interop.AtSymlinkNoFollow));

    private static (uint Uid, uint Gid) Owner(string path)
    {
        Assert.Equal(0, Interop.Fstatat(Interop.AtFdCwd, path, out var st, Interop.AtSymlinkNoFollow));
        return (st.Uid, st.Gid);
    }
}
