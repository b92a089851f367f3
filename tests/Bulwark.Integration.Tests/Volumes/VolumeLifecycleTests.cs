using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Volumes;

/// <summary>Named and anonymous volumes through the real docker CLI, proven from inside containers.</summary>
[Collection(DaemonCollection.Name)]
public sealed class VolumeLifecycleTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task NamedVolume_WrittenByRemappedRootInOneContainer_IsReadByTheNext()
    {
        string vol = VolumeTestSupport.UniqueName("persist");
        try
        {
            var w = await D.OkAsync("run", "--rm", "-v", vol + ":/data", Image, "sh", "-c", "id -u; echo kept > /data/file; stat -c '%u %a' /data");
            Assert.Equal("0\n0 755\n", w.Stdout);
            var r = await D.OkAsync("run", "--rm", "-v", vol + ":/data", Image, "cat", "/data/file");
            Assert.Equal("kept\n", r.Stdout);

            // On the host the data keeps the container's ids (container root is 0: the volume is mounted idmapped),
            // and the path to it admits nobody else.
            Assert.Equal((0u, 0u), (VolumeTestSupport.Owner(D.DataDir(vol)).Uid, VolumeTestSupport.Owner(D.DataDir(vol)).Gid));
            Assert.Equal((0u, 0u), (VolumeTestSupport.Owner(Path.Combine(D.DataDir(vol), "file")).Uid, VolumeTestSupport.Owner(Path.Combine(D.DataDir(vol), "file")).Gid));
            var volumesDir = VolumeTestSupport.Owner(Path.Combine(D.DataRoot, "volumes"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, volumesDir.Mode);

            var inspect = VolumeTestSupport.Inspect((await D.OkAsync("volume", "inspect", vol)).Stdout);
            Assert.Equal("local", inspect.GetProperty("Driver").GetString());
            Assert.Equal(D.DataDir(vol), inspect.GetProperty("Mountpoint").GetString());
            Assert.Equal("local", inspect.GetProperty("Scope").GetString());
        }
        finally
        {
            await D.CleanupAsync([], [vol]);
        }
    }

    [Fact]
    public async Task ReadOnlyVolume_WriteFailsWithEROFS_ForVAndMount()
    {
        string vol = VolumeTestSupport.UniqueName("ro");
        try
        {
            var v = await D.DockerAsync("run", "--rm", "-v", vol + ":/data:ro", Image, "sh", "-c", "echo x > /data/f");
            Assert.Equal(1, v.ExitCode);
            Assert.Contains("Read-only file system", v.Stderr, StringComparison.Ordinal);

            var m = await D.DockerAsync("run", "--rm", "--mount", $"type=volume,src={vol},dst=/data,readonly", Image, "sh", "-c",
                "grep ' /data ' /proc/mounts; touch /data/g");
            Assert.Equal(1, m.ExitCode);
            Assert.Contains("Read-only file system", m.Stderr, StringComparison.Ordinal);
            Assert.Matches(@" /data \S+ ro,nosuid,nodev", m.Stdout);
            Assert.Empty(Directory.EnumerateFileSystemEntries(D.DataDir(vol)));
        }
        finally
        {
            await D.CleanupAsync([], [vol]);
        }
    }

    [Fact]
    public async Task VolumeInUse_ByAStoppedContainer_CannotBeRemoved_ThenCan()
    {
        string vol = VolumeTestSupport.UniqueName("inuse");
        string name = VolumeTestSupport.UniqueName("holder");
        try
        {
            string id = (await D.OkAsync("create", "--name", name, "-v", vol + ":/data", Image, "true")).Stdout.Trim();
            Assert.Equal(id + "\n", (await D.OkAsync("ps", "-a", "-q", "--no-trunc", "--filter", "volume=" + vol)).Stdout);
            var rm = await D.DockerAsync("volume", "rm", vol);
            Assert.Equal(1, rm.ExitCode);
            Assert.Contains($"Error response from daemon: remove {vol}: volume is in use - [{id}]", rm.Stderr, StringComparison.Ordinal);
            var forced = await D.DockerAsync("volume", "rm", "-f", vol);
            Assert.Equal(1, forced.ExitCode);
            Assert.Contains("volume is in use", forced.Stderr, StringComparison.Ordinal);
            Assert.Contains(vol, await D.VolumeNamesAsync());

            await D.OkAsync("rm", name);
            await D.OkAsync("volume", "rm", vol);
            Assert.DoesNotContain(vol, await D.VolumeNamesAsync());
            Assert.False(Directory.Exists(Path.Combine(D.DataRoot, "volumes", vol)));

            var missing = await D.DockerAsync("volume", "rm", vol);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains($"get {vol}: no such volume", missing.Stderr, StringComparison.Ordinal);
            Assert.Equal(0, (await D.DockerAsync("volume", "rm", "-f", vol)).ExitCode);
        }
        finally
        {
            await D.CleanupAsync([name], [vol]);
        }
    }

    [Fact]
    public async Task RmV_RemovesAnonymousVolumes_KeepsNamedOnes_AndPlainRmKeepsBoth()
    {
        string named = VolumeTestSupport.UniqueName("keep");
        string c1 = VolumeTestSupport.UniqueName("rmv");
        string c2 = VolumeTestSupport.UniqueName("rmplain");
        var anonymous = new List<string>();
        try
        {
            foreach (string c in new[] { c1, c2 })
            {
                await D.OkAsync("run", "--name", c, "-v", named + ":/named", "-v", "/anon", Image, "sh", "-c", "echo a > /anon/f");
                var mounts = VolumeTestSupport.Inspect((await D.OkAsync("inspect", c)).Stdout).GetProperty("Mounts").EnumerateArray().ToList();
                var anon = mounts.Single(m => m.GetProperty("Destination").GetString() == "/anon");
                Assert.Equal("volume", anon.GetProperty("Type").GetString());
                Assert.Equal("local", anon.GetProperty("Driver").GetString());
                Assert.Equal("", anon.GetProperty("Propagation").GetString());
                Assert.True(anon.GetProperty("RW").GetBoolean());
                string anonName = anon.GetProperty("Name").GetString()!;
                Assert.Equal(64, anonName.Length);
                Assert.Equal(D.DataDir(anonName), anon.GetProperty("Source").GetString());
                anonymous.Add(anonName);
                Assert.Contains(mounts, m => m.GetProperty("Name").GetString() == named && m.GetProperty("Destination").GetString() == "/named");
            }

            await D.OkAsync("rm", "-v", c1);
            await D.OkAsync("rm", c2);
            var left = await D.VolumeNamesAsync();
            Assert.DoesNotContain(anonymous[0], left);
            Assert.Contains(anonymous[1], left); // plain rm keeps anonymous volumes, as Docker does
            Assert.Contains(named, left);
        }
        finally
        {
            await D.CleanupAsync([c1, c2], [named, .. anonymous]);
        }
    }

    [Fact]
    public async Task RunRm_RemovesItsAnonymousVolumes_IncludingTheImagesVolume()
    {
        string tag = "test/volrm:" + Guid.NewGuid().ToString("N")[..6];
        await VolumeTestSupport.ImportImageAsync(D, tag, "/imgvol", rootfs => Directory.CreateDirectory(Path.Combine(rootfs, "imgvol")));
        try
        {
            var before = await D.VolumeNamesAsync();
            var r = await D.OkAsync("run", "--rm", "-v", "/anon", tag, "sh", "-c", "grep -c -E ' /(anon|imgvol) ' /proc/mounts");
            Assert.Equal("2\n", r.Stdout);
            var after = await D.VolumeNamesAsync();
            Assert.Equal(before.Order(), after.Order());
        }
        finally
        {
            await D.DockerAsync("rmi", tag);
        }
    }

    [Fact]
    public async Task Prune_RemovesOnlyUnusedAnonymousVolumes_UnlessAll_AndHonoursLabels()
    {
        string named = VolumeTestSupport.UniqueName("prunenamed");
        string labelled = VolumeTestSupport.UniqueName("prunelabel");
        string used = VolumeTestSupport.UniqueName("pruneused");
        string holder = VolumeTestSupport.UniqueName("pruneholder");
        try
        {
            await D.OkAsync("volume", "create", named);
            await D.OkAsync("volume", "create", "--label", "purpose=prune-test", labelled);
            string anon = (await D.OkAsync("volume", "create")).Stdout.Trim();
            Assert.Equal(64, anon.Length);
            var anonInspect = VolumeTestSupport.Inspect((await D.OkAsync("volume", "inspect", anon)).Stdout);
            Assert.True(anonInspect.GetProperty("Labels").TryGetProperty("com.docker.volume.anonymous", out _));
            await D.OkAsync("create", "--name", holder, "-v", used + ":/u", Image, "true");

            var p1 = await D.OkAsync("volume", "prune", "-f");
            Assert.Contains(anon, p1.Stdout, StringComparison.Ordinal);
            var left = await D.VolumeNamesAsync();
            Assert.DoesNotContain(anon, left);
            Assert.Contains(named, left);

            var p2 = await D.OkAsync("volume", "prune", "-af", "--filter", "label=purpose=prune-test");
            Assert.Contains(labelled, p2.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(named, p2.Stdout, StringComparison.Ordinal);

            var p3 = await D.OkAsync("volume", "prune", "-af");
            left = await D.VolumeNamesAsync();
            Assert.DoesNotContain(named, left);
            Assert.Contains(used, left); // in use by a (never started) container: never pruned
        }
        finally
        {
            await D.CleanupAsync([holder], [named, labelled, used]);
        }
    }

    [Fact]
    public async Task VolumeLs_Filters_AndSystemDf_ShowsTheVolume()
    {
        string a = VolumeTestSupport.UniqueName("lsfilter");
        string holder = VolumeTestSupport.UniqueName("lsholder");
        try
        {
            await D.OkAsync("volume", "create", "--label", "tier=gold", a);
            Assert.Equal(a + "\n", (await D.OkAsync("volume", "ls", "-q", "--filter", "label=tier=gold")).Stdout);
            Assert.Equal(a + "\n", (await D.OkAsync("volume", "ls", "-q", "--filter", "name=" + a)).Stdout);
            Assert.Contains(a, (await D.OkAsync("volume", "ls", "-q", "--filter", "dangling=true")).Stdout, StringComparison.Ordinal);
            Assert.Contains(a, (await D.OkAsync("volume", "ls", "-q", "--filter", "driver=local")).Stdout, StringComparison.Ordinal);

            await D.OkAsync("run", "--name", holder, "-v", a + ":/d", Image, "sh", "-c", "head -c 5000 /dev/zero > /d/blob");
            Assert.DoesNotContain(a, (await D.OkAsync("volume", "ls", "-q", "--filter", "dangling=true")).Stdout, StringComparison.Ordinal);
            var bad = await D.DockerAsync("volume", "ls", "--filter", "bogus=1");
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("bogus", bad.Stderr, StringComparison.Ordinal);

            var df = await D.OkAsync("system", "df", "-v");
            var line = df.Stdout.Split('\n').Single(l => l.StartsWith(a, StringComparison.Ordinal));
            Assert.Matches(@"^\S+\s+1\s+5kB", line);
        }
        finally
        {
            await D.CleanupAsync([holder], [a]);
        }
    }

    [Fact]
    public async Task VolumeCreate_IsIdempotent_AndRefusesBadNamesDriversAndOptions()
    {
        string v = VolumeTestSupport.UniqueName("idem");
        try
        {
            await D.OkAsync("volume", "create", "--label", "x=1", v);
            await D.OkAsync("run", "--rm", "-v", v + ":/d", Image, "touch", "/d/marker");
            Assert.Equal(v + "\n", (await D.OkAsync("volume", "create", v)).Stdout);
            Assert.True(File.Exists(Path.Combine(D.DataDir(v), "marker"))); // the existing volume, untouched

            foreach (string bad in new[] { "../x", "a", ".hidden", "a/b", "-dash" })
            {
                var r = await D.DockerAsync("volume", "create", "--name", bad);
                Assert.True(r.ExitCode != 0, bad);
                Assert.Contains("includes invalid characters for a local volume name", r.Stderr, StringComparison.Ordinal);
            }

            var driver = await D.DockerAsync("volume", "create", "--driver", "nfs-plugin", VolumeTestSupport.UniqueName("drv"));
            Assert.Equal(1, driver.ExitCode);
            Assert.Contains("volume driver \"nfs-plugin\" is not supported", driver.Stderr, StringComparison.Ordinal);
            var opt = await D.DockerAsync("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", VolumeTestSupport.UniqueName("opt"));
            Assert.Equal(1, opt.ExitCode);
            Assert.Contains("option(s) device, type not supported", opt.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(D.DataRoot, "x")));
            Assert.False(Directory.Exists(Path.Combine(D.DataRoot, "volumes", "..", "x")));
        }
        finally
        {
            await D.CleanupAsync([], [v]);
        }
    }

    [Fact]
    public async Task VolumesFrom_AMissingContainer_IsRefusedNamingIt()
    {
        var r = await D.DockerAsync("run", "--rm", "--volumes-from", "other", Image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--volumes-from other: No such container: other", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_ReportVolumeCreateMountUnmountDestroy()
    {
        string v = VolumeTestSupport.UniqueName("events");
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await D.OkAsync("run", "--rm", "-v", v + ":/e", Image, "true");
        await D.OkAsync("volume", "rm", v);
        string until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ev = await D.OkAsync("events", "--since", since, "--until", until, "--filter", "type=volume", "--filter", "volume=" + v);
        var actions = ev.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(["create", "mount", "unmount", "destroy"], actions);
        Assert.Contains("destination=/e", ev.Stdout, StringComparison.Ordinal);
        Assert.Contains("read/write=true", ev.Stdout, StringComparison.Ordinal);
        Assert.Contains("driver=local", ev.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulwarkCli_VolumeCommands_CreateLsInspectRmPrune()
    {
        string v = VolumeTestSupport.UniqueName("ourvol");
        try
        {
            async Task<CommandResult> Ok(params string[] args)
            {
                var r = await D.CliAsync(args);
                Assert.True(r.ExitCode == 0, $"bulwark {string.Join(' ', args)}: {r}");
                return r;
            }

            Assert.Equal(v + "\n", (await Ok("volume", "create", "--label", "via=bulwark", v)).Stdout);
            Assert.Equal(v + "\n", (await Ok("volume", "ls", "-q", "--filter", "label=via=bulwark")).Stdout);
            Assert.Matches($@"DRIVER\s+VOLUME NAME\n(.*\n)*local\s+{v}\n", (await Ok("volume", "ls")).Stdout);
            var inspect = VolumeTestSupport.Inspect((await Ok("volume", "inspect", v)).Stdout);
            Assert.Equal("bulwark", inspect.GetProperty("Labels").GetProperty("via").GetString());

            string anon = (await Ok("volume", "create")).Stdout.Trim();
            var prune = await Ok("volume", "prune", "-f");
            Assert.Contains("Deleted Volumes:\n" + anon + "\n", prune.Stdout, StringComparison.Ordinal);
            Assert.Equal(1, (await D.CliAsync("volume", "prune")).ExitCode); // no prompt: asks for --force

            await D.OkAsync("create", "--name", v + "-c", "-v", v + ":/d", Image, "true");
            var busy = await D.CliAsync("volume", "rm", v);
            Assert.Equal(1, busy.ExitCode);
            Assert.Contains("volume is in use", busy.Stderr, StringComparison.Ordinal);
            await Ok("rm", v + "-c");
            Assert.Equal(v + "\n", (await Ok("volume", "rm", v)).Stdout);
            var gone = await D.CliAsync("volume", "inspect", v);
            Assert.Equal(1, gone.ExitCode);
            Assert.Contains("no such volume", gone.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.CleanupAsync([v + "-c"], [v]);
        }
    }

    [Fact]
    public async Task BulwarkCli_RunWithNamedVolume_Works()
    {
        string v = VolumeTestSupport.UniqueName("ourcli");
        try
        {
            var w = await D.CliAsync("run", "--rm", "-v", v + ":/data", Image, "sh", "-c", "echo via-bulwark > /data/f");
            Assert.True(w.ExitCode == 0, w.ToString());
            Assert.Equal("via-bulwark\n", (await D.OkAsync("run", "--rm", "-v", v + ":/data:ro", Image, "cat", "/data/f")).Stdout);
        }
        finally
        {
            await D.CleanupAsync([], [v]);
        }
    }
}
