using System.Globalization;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Security.UserNamespaces;

/// <summary>
/// With room for three ranges in /etc/subuid and /etc/subgid (a remap user of the test's own, removed afterwards),
/// every container gets a uid/gid range of its own, kept across a daemon restart and freed when it is removed.
/// </summary>
public sealed class PerContainerRangeTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private const uint Size = 65536;
    private readonly string _user = "bwt" + Guid.NewGuid().ToString("N")[..8];
    private DaemonInstance _d = null!;
    private uint _start;

    public async Task InitializeAsync()
    {
        _start = SubordinateIds.Add(_user, 3 * Size);
        _d = await DaemonInstance.StartAsync($$"""{ "userns-remap": "{{_user}}", "userns-ranges": "per-container" }""");
        await _d.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _d.DisposeAsync();
        }
        finally
        {
            SubordinateIds.Remove(_user);
            await ProcessRunner.RunAsync("userdel", [_user]);
            await ProcessRunner.RunAsync("groupdel", [_user]);
        }
    }

    [Fact]
    public async Task Containers_GetDisjointRanges_SharedVolumeOwnersAgree_RangesSurviveRestart_AndAreFreedOnRemove()
    {
        string a = await RunSleeperAsync("-v", "rangevol:/v");
        string b = await RunSleeperAsync("-v", "rangevol:/v");
        uint startA = await HostStartAsync(a);
        uint startB = await HostStartAsync(b);
        Assert.NotEqual(startA, startB);
        Assert.All(new[] { startA, startB }, s => Assert.True(s >= _start && s + Size <= _start + 3 * Size, $"{s} outside the user's ids"));

        var write = await _d.CliAsync("exec", a, "sh", "-c", "echo x > /v/f && chown 1234:2345 /v/f");
        Assert.True(write.ExitCode == 0, write.ToString());
        var read = await _d.CliAsync("exec", b, "stat", "-c", "owner=%u:%g", "/v/f");
        Assert.Equal("owner=1234:2345", read.Stdout.Trim());

        await _d.RestartAsync();
        Assert.Equal(startA, await HostStartAsync(a));
        Assert.Equal(startB, await HostStartAsync(b));
        string c = await RunSleeperAsync();
        uint startC = await HostStartAsync(c);
        Assert.DoesNotContain(startC, new[] { startA, startB });

        var full = await _d.CliAsync("run", "-d", Image, "sleep", "1000");
        Assert.NotEqual(0, full.ExitCode);
        Assert.Contains("no free user namespace range", full.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, (await _d.CliAsync("ps", "-aq")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var rm = await _d.CliAsync("rm", "-f", a);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        string d = await RunSleeperAsync();
        Assert.Equal(startA, await HostStartAsync(d));
    }

    private async Task<string> RunSleeperAsync(params string[] options)
    {
        var r = await _d.CliAsync(["run", "-d", .. options, Image, "sleep", "1000"]);
        Assert.True(r.ExitCode == 0, r + "\n" + _d.DaemonLog);
        return r.Stdout.Trim();
    }

    /// <summary>The host uid container root is, read from inside the container; the gid map must match it.</summary>
    private async Task<uint> HostStartAsync(string id)
    {
        var r = await _d.CliAsync("exec", id, "sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(["0", lines[0][1], "65536"], lines[0]);
        Assert.Equal(lines[0][1], lines[1][1]);
        return uint.Parse(lines[0][1], CultureInfo.InvariantCulture);
    }
}

/// <summary>Adds and removes a test user's lines in /etc/subuid and /etc/subgid (written to a temp file and renamed).</summary>
internal static class SubordinateIds
{
    private static readonly Lock Gate = new();

    /// <summary>Gives <paramref name="user"/> <paramref name="count"/> ids above every existing range; returns the start.</summary>
    public static uint Add(string user, uint count)
    {
        lock (Gate)
        {
            ulong end = 1_000_000;
            foreach (string file in new[] { "/etc/subuid", "/etc/subgid" })
            {
                foreach (var f in (File.Exists(file) ? File.ReadAllLines(file) : []).Select(l => l.Split(':')).Where(f => f.Length == 3))
                {
                    if (ulong.TryParse(f[1], CultureInfo.InvariantCulture, out ulong s) && ulong.TryParse(f[2], CultureInfo.InvariantCulture, out ulong c))
                    {
                        end = Math.Max(end, s + c);
                    }
                }
            }

            uint start = (uint)end;
            foreach (string file in new[] { "/etc/subuid", "/etc/subgid" })
            {
                Rewrite(file, lines => [.. lines, string.Create(CultureInfo.InvariantCulture, $"{user}:{start}:{count}")]);
            }

            return start;
        }
    }

    public static void Remove(string user)
    {
        lock (Gate)
        {
            foreach (string file in new[] { "/etc/subuid", "/etc/subgid" })
            {
                Rewrite(file, lines => lines.Where(l => !l.StartsWith(user + ":", StringComparison.Ordinal)).ToList());
            }
        }
    }

    private static void Rewrite(string file, Func<List<string>, List<string>> change)
    {
        var lines = File.Exists(file) ? File.ReadAllLines(file).ToList() : [];
        string tmp = file + ".bwt-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllLines(tmp, change(lines));
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(tmp, file, overwrite: true);
    }
}
