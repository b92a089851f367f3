using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;
using Bulwark.Integration.Tests.Registry;

namespace Bulwark.Integration.Tests.Resilience;

/// <summary>
/// bulwarkd whose data root and exec root share one small filesystem (a 48 MiB tmpfs mounted for the test) that fills
/// up: a failed write leaves nothing behind and names the full filesystem, a container that filled the disk is
/// removed at once, exit codes are kept and every record reads after a daemon restart.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private const long FilesystemBytes = 48L << 20;
    private string _mount = "";
    private string _work = "";
    private string _busyboxTar = "";
    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _mount = Directory.CreateTempSubdirectory("bwdf-").FullName;
        // Inputs bigger than the small filesystem live on the host's disk.
        _work = Directory.CreateTempSubdirectory("bwdf-in-").FullName;
        var mount = await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=48m,mode=0755", "tmpfs", _mount]);
        Assert.True(mount.ExitCode == 0, mount.ToString());
        _d = await DaemonInstance.StartAsync(root: _mount);
        _busyboxTar = BusyboxImage.BuildRootfsTar(_work);
        var import = await _d.CliAsync("import", _busyboxTar, "test/busybox:1");
        Assert.True(import.ExitCode == 0, import.ToString());
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
            Cleanup.RemoveMountsUnder(_mount);
            var umount = await ProcessRunner.RunAsync("umount", [_mount], timeout: TimeSpan.FromSeconds(30));
            if (umount.ExitCode != 0)
            {
                await ProcessRunner.RunAsync("umount", ["-l", _mount], timeout: TimeSpan.FromSeconds(30));
            }
            Directory.Delete(_mount, recursive: true);
            Directory.Delete(_work, recursive: true);
        }
    }

    [Fact]
    public async Task RestartOnADiskFullToTheLastByte_ServesItsImagesAndContainers()
    {
        var created = await _d.CliAsync("create", "--name", "kept", "test/busybox:1", "true");
        Assert.True(created.ExitCode == 0, created.ToString());
        await _d.StopProcessAsync();
        string filler = Path.Combine(_mount, "filler");
        FillUp(filler);
        Assert.True(Available() < 8 << 10, $"{Available()} bytes still free");

        // The image metadata database needed a new file at every open (SQLite WAL's -shm index): "disk I/O error", and
        // the daemon did not start.
        await _d.StartProcessAsync();
        Assert.Contains("test/busybox", (await _d.DockerAsync("images", "--format", "{{.Repository}}")).Stdout, StringComparison.Ordinal);
        Assert.Equal("created 0", await StateAsync("kept"));
        File.Delete(filler);
    }

    [Fact]
    public async Task ImportAndLoadTooBigForTheDisk_FailNamingTheFullFilesystem_LeaveNoPartialFile_AndTheDaemonServesOn()
    {
        // 64 MiB of random bytes: no compression makes it fit in 48 MiB.
        string big = Path.Combine(_work, "big");
        using (var f = File.Create(big))
        {
            var chunk = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
            {
                Random.Shared.NextBytes(chunk);
                f.Write(chunk);
            }
        }
        string tar = Path.Combine(_work, "big.tar");
        Assert.Equal(0, (await ProcessRunner.RunAsync("tar", ["-C", _work, "-cf", tar, "big"])).ExitCode);

        var import = await _d.CliAsync("import", tar, "test/big:1");
        Assert.True(import.ExitCode != 0, import.ToString());
        Assert.Contains("no space left on device", import.Stderr, StringComparison.Ordinal);
        Assert.Contains("the filesystem of the data root is full", import.Stderr, StringComparison.Ordinal);
        AssertNoPartialFiles();
        // The partial blob's space is back at once, not at the next daemon start.
        Assert.True(Available() > FilesystemBytes / 2, $"only {Available()} bytes free after the failed import");

        var load = await _d.CliAsync("load", "-i", tar);
        Assert.True(load.ExitCode != 0, load.ToString());
        Assert.Contains("no space left on device", load.Stdout + load.Stderr, StringComparison.Ordinal);
        AssertNoPartialFiles();
        Assert.True(Available() > FilesystemBytes / 2, $"only {Available()} bytes free after the failed load");

        // Still serving: the images are as before, and a small import and a run work.
        var images = await _d.DockerAsync("images", "--format", "{{.Repository}}:{{.Tag}}");
        Assert.Equal("test/busybox:1", images.Stdout.Trim());
        var small = await _d.CliAsync("import", _busyboxTar, "test/busybox:2");
        Assert.True(small.ExitCode == 0, small.ToString());
        var run = await _d.CliAsync("run", "--rm", "test/busybox:2", "echo", "still serving");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("still serving\n", run.Stdout);
    }

    [Fact]
    public async Task PullOfALayerTooBigForTheDisk_FailsNamingTheFullFilesystem_AndLeavesNoPartialBlob()
    {
        const string manifestType = "application/vnd.oci.image.manifest.v1+json";
        byte[] layer = new byte[64 << 20];
        Random.Shared.NextBytes(layer);
        string layerDigest = StubRegistry.Sha256(layer);
        byte[] config = System.Text.Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["{{{layerDigest}}}"]}}""");
        string configDigest = StubRegistry.Sha256(config);
        string manifest = $$"""
            {"schemaVersion":2,"mediaType":"{{manifestType}}",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{configDigest}}","size":{{config.Length}}},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layerDigest}}","size":{{layer.Length}}}]}
            """;
        await using var registry = new StubRegistry(ctx => ctx.Request.Url!.AbsolutePath switch
        {
            "/v2/" => StubRegistry.ReplyJsonAsync(ctx, 200, "{}"),
            "/v2/ns/big/manifests/1" => StubRegistry.ReplyJsonAsync(ctx, 200, manifest, manifestType),
            string p when p == $"/v2/ns/big/blobs/{layerDigest}" => StubRegistry.ReplyAsync(ctx, 200, "application/octet-stream", layer),
            string p when p == $"/v2/ns/big/blobs/{configDigest}" => StubRegistry.ReplyAsync(ctx, 200, "application/octet-stream", config),
            _ => StubRegistry.NotFoundAsync(ctx),
        });

        var pull = await _d.DockerAsync("pull", $"{registry.Host}/ns/big:1");
        Assert.True(pull.ExitCode != 0, pull.ToString());
        Assert.Contains("no space left on device", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains("the filesystem of the data root is full", pull.Stderr, StringComparison.Ordinal);
        AssertNoPartialFiles();
        Assert.True(Available() > FilesystemBytes / 2, $"only {Available()} bytes free after the failed pull");
        Assert.NotEqual(0, (await _d.DockerAsync("image", "inspect", $"{registry.Host}/ns/big:1")).ExitCode);
        var run = await _d.CliAsync("run", "--rm", "test/busybox:1", "echo", "still serving");
        Assert.Equal("still serving\n", run.Stdout);
    }

    [Fact]
    public async Task LogFloodFillingTheDisk_IsRemovedAtOnceByRmF_ExitCodesAndRecordsSurviveRestarts_AndRunWorksAgain()
    {
        var created = await _d.CliAsync("create", "--name", "idle", "test/busybox:1", "true");
        Assert.True(created.ExitCode == 0, created.ToString());
        var finished = await _d.CliAsync("run", "--name", "finished", "test/busybox:1", "sh", "-c", "exit 3");
        Assert.Equal(3, finished.ExitCode);

        // Logs without rotation (max-size 1g) so that they, not a limit, decide when the disk is full.
        string flood = "while :; do echo " + new string('x', 200) + "; done";
        foreach (string name in new[] { "flood1", "flood2" })
        {
            var run = await _d.CliAsync("run", "-d", "--name", name, "--log-opt", "max-size=1g", "test/busybox:1", "sh", "-c", flood);
            Assert.True(run.ExitCode == 0, run.ToString());
        }
        await WaitUntilFullAsync();

        // A run while the disk is full is refused at once, naming the full filesystem, and leaves no container behind.
        var refused = await _d.CliAsync("run", "--rm", "--name", "refused", "test/busybox:1", "true");
        Assert.True(refused.ExitCode == 125, refused.ToString());
        Assert.True(refused.Stderr.Contains("no space left on device", StringComparison.Ordinal), refused.ToString());
        Assert.True(refused.Stderr.Contains("the filesystem of the data root is full", StringComparison.Ordinal), refused.ToString());
        Assert.DoesNotContain("refused", (await _d.DockerAsync("ps", "-a", "--format", "{{.Names}}")).Stdout, StringComparison.Ordinal);

        // Killed on the full disk: the exit is recorded (the record may not be saved, the monitor's exit file is).
        var kill = await _d.CliAsync("kill", "flood1");
        Assert.True(kill.ExitCode == 0, kill.ToString());
        var wait = await _d.CliAsync("wait", "flood1");
        Assert.Equal("137", wait.Stdout.Trim());
        Assert.True(Available() < 1 << 20, "the disk was no longer full: the restart below would prove less");
        // What reached the log is whole records: a write the disk cut short was cut from the file again.
        string id = (await _d.CliAsync("inspect", "--format", "{{.Id}}", "flood1")).Stdout.Trim();
        string[] lines = File.ReadAllLines(Path.Combine(_d.DataRoot, "containers", id, id + "-json.log"));
        Assert.True(lines.Length > 1000, $"only {lines.Length} log lines");
        foreach (string line in lines)
        {
            using var record = JsonDocument.Parse(line);
            Assert.Equal(new string('x', 200) + "\n", record.RootElement.GetProperty("log").GetString());
        }

        // A restart while the disk is full to the last byte (a filler takes what flood2 left): every record reads,
        // nothing is lost. (The image metadata database used to need a new file at every open: "disk I/O error".)
        // Filled while the daemon is down: its clean stop frees what its open files held.
        string filler = Path.Combine(_mount, "filler");
        await _d.StopProcessAsync();
        FillUp(filler);
        await _d.StartProcessAsync();
        Assert.Equal("created 0", await StateAsync("idle"));
        Assert.Equal("exited 3", await StateAsync("finished"));
        Assert.Equal("exited 137", await StateAsync("flood1"));
        Assert.Equal("running 0", await StateAsync("flood2"));
        Assert.Contains("test/busybox", (await _d.DockerAsync("images", "--format", "{{.Repository}}")).Stdout, StringComparison.Ordinal);
        File.Delete(filler);

        // rm -f needs no space: the still-flooding container and the killed one go, and so does their space.
        // The process time limit only catches a hang; before the fix this answered "The operation has timed out".
        foreach (string name in new[] { "flood2", "flood1" })
        {
            var rm = await ProcessRunner.RunAsync(RepoPaths.Cli, ["rm", "-f", name],
                new Dictionary<string, string> { ["BULWARK_HOST"] = _d.Host }, timeout: TimeSpan.FromMinutes(2));
            Assert.True(rm.ExitCode == 0, rm.ToString() + "\n" + _d.DaemonLog);
        }
        Assert.True(Available() > FilesystemBytes / 2, $"only {Available()} bytes free after removing the flooders");
        var again = await _d.CliAsync("run", "--rm", "test/busybox:1", "echo", "space again");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("space again\n", again.Stdout);

        // And after a restart on the freed disk: the remaining records, whole.
        await _d.RestartAsync();
        Assert.Equal("created 0", await StateAsync("idle"));
        Assert.Equal("exited 3", await StateAsync("finished"));
        var names = await _d.DockerAsync("ps", "-a", "--format", "{{.Names}}");
        Assert.Equal(["finished", "idle"], names.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        AssertEveryRecordIsWhole();
    }

    private async Task<string> StateAsync(string name)
    {
        var r = await _d.CliAsync("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name);
        Assert.True(r.ExitCode == 0, r.ToString() + "\n" + _d.DaemonLog);
        return r.Stdout.Trim();
    }

    private long Available() => new DriveInfo(_mount).AvailableFreeSpace;

    /// <summary>Writes <paramref name="path"/> until the filesystem refuses another page.</summary>
    private static void FillUp(string path)
    {
        var page = new byte[4096];
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                f.Write(page);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
        }
    }

    private async Task WaitUntilFullAsync()
    {
        // Bounded only so that a broken flood cannot hang the run; how long it takes is not asserted.
        for (int i = 0; i < 1200 && Available() >= 256 << 10; i++)
        {
            await Task.Delay(100);
        }
        Assert.True(Available() < 256 << 10, $"the log flood did not fill the disk ({Available()} bytes free)");
    }

    private void AssertNoPartialFiles()
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_d.DataRoot, "content", "ingest")));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_d.DataRoot, "tmp")));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_d.DataRoot, "snapshots"), "tmp-*"));
    }

    private void AssertEveryRecordIsWhole()
    {
        foreach (string dir in Directory.EnumerateDirectories(Path.Combine(_d.DataRoot, "containers")))
        {
            Assert.False(File.Exists(Path.Combine(dir, "container.json.tmp")), "a temp record was left in " + dir);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "container.json")));
            Assert.Equal(Path.GetFileName(dir), doc.RootElement.GetProperty("Id").GetString());
        }
    }
}
