using System.Formats.Tar;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Containers;

/// <summary>docker cp in both directions, export and diff, through the real docker CLI; the CVE-2018-15664 shapes.</summary>
[Collection(DaemonCollection.Name)]
public sealed class CopyTests(SharedDaemonFixture fx) : IDisposable
{
    private readonly string _host = Directory.CreateTempSubdirectory("bulwark-cp-").FullName;

    private DaemonInstance D => fx.Daemon;

    public void Dispose() => Directory.Delete(_host, recursive: true);

    [Fact]
    public async Task CpIn_FileIntoDirectory_LandsOwnedByContainerRoot()
    {
        string c = await RunDetachedAsync("cpin1");
        string f = Path.Combine(_host, "hostfile.txt");
        await File.WriteAllTextAsync(f, "from-host\n");

        var cp = await D.DockerAsync("cp", f, c + ":/tmp/");
        Assert.True(cp.ExitCode == 0, cp.ToString());

        var cat = await D.DockerAsync("exec", c, "sh", "-c", "cat /tmp/hostfile.txt; stat -c '%u:%g %a' /tmp/hostfile.txt");
        Assert.True(cat.ExitCode == 0, cat.ToString());
        Assert.Equal("from-host\n0:0 644\n", cat.Stdout);
        await RemoveAsync(c);
    }

    [Fact]
    public async Task CpIn_Directory_CopiesTheTree()
    {
        string c = await RunDetachedAsync("cpin2");
        string dir = Path.Combine(_host, "tree");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        await File.WriteAllTextAsync(Path.Combine(dir, "sub", "leaf.txt"), "leaf\n");
        File.CreateSymbolicLink(Path.Combine(dir, "link"), "sub/leaf.txt");

        var cp = await D.DockerAsync("cp", dir, c + ":/tmp/");
        Assert.True(cp.ExitCode == 0, cp.ToString());

        var r = await D.DockerAsync("exec", c, "sh", "-c", "cat /tmp/tree/sub/leaf.txt; readlink /tmp/tree/link");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("leaf\nsub/leaf.txt\n", r.Stdout);
        await RemoveAsync(c);
    }

    [Fact]
    public async Task CpIn_ToNewName_RenamesTheFile()
    {
        string c = await RunDetachedAsync("cpin3");
        string f = Path.Combine(_host, "orig.txt");
        await File.WriteAllTextAsync(f, "renamed\n");

        var cp = await D.DockerAsync("cp", f, c + ":/tmp/newname.txt");
        Assert.True(cp.ExitCode == 0, cp.ToString());

        var r = await D.DockerAsync("exec", c, "cat", "/tmp/newname.txt");
        Assert.Equal("renamed\n", r.Stdout);
        await RemoveAsync(c);
    }

    [Fact]
    public async Task CpOut_FileAndDirectory_ComeBackIntact()
    {
        string c = await RunDetachedAsync("cpout1", "mkdir -p /tmp/d/a && echo inner > /tmp/d/a/b && echo out > /tmp/out.txt && touch /tmp/ready");
        await WaitForAsync(c, "/tmp/ready");

        var file = await D.DockerAsync("cp", c + ":/tmp/out.txt", Path.Combine(_host, "back.txt"));
        Assert.True(file.ExitCode == 0, file.ToString());
        Assert.Equal("out\n", await File.ReadAllTextAsync(Path.Combine(_host, "back.txt")));

        var dir = await D.DockerAsync("cp", c + ":/tmp/d", _host);
        Assert.True(dir.ExitCode == 0, dir.ToString());
        Assert.Equal("inner\n", await File.ReadAllTextAsync(Path.Combine(_host, "d", "a", "b")));
        await RemoveAsync(c);
    }

    [Fact]
    public async Task CpOut_MissingPath_Is404NamingThePath()
    {
        string c = await RunDetachedAsync("cpout2");
        var r = await D.DockerAsync("cp", c + ":/no/such/file", _host);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Could not find the file /no/such/file in container", r.Stderr, StringComparison.Ordinal);
        await RemoveAsync(c);
    }

    [Fact]
    public async Task Cp_CreatedAndExitedContainers_MountTheRootfsForTheCopy()
    {
        var create = await D.DockerAsync("create", "--name", "cpstopped", SharedDaemonFixture.Image, "cat", "/tmp/in.txt");
        Assert.True(create.ExitCode == 0, create.ToString());
        string f = Path.Combine(_host, "in.txt");
        await File.WriteAllTextAsync(f, "before start\n");
        var cp = await D.DockerAsync("cp", f, "cpstopped:/tmp/");
        Assert.True(cp.ExitCode == 0, cp.ToString());

        var start = await D.DockerAsync("start", "-a", "cpstopped");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("before start\n", start.Stdout);

        // Exited now: its rootfs is unmounted; cp mounts it for the copy and unmounts after.
        var back = await D.DockerAsync("cp", "cpstopped:/tmp/in.txt", Path.Combine(_host, "out.txt"));
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal("before start\n", await File.ReadAllTextAsync(Path.Combine(_host, "out.txt")));
        var id = (await D.DockerAsync("inspect", "-f", "{{.Id}}", "cpstopped")).Stdout.Trim();
        Assert.False(IsMounted(Path.Combine(D.DataRoot, "containers", id, "rootfs")), "the rootfs of an exited container stays unmounted");

        // And it starts again afterwards (the copy's mount is gone; start mounts its own).
        var again = await D.DockerAsync("start", "cpstopped");
        Assert.True(again.ExitCode == 0, again.ToString());
        var wait = await D.DockerAsync("wait", "cpstopped");
        Assert.Equal("0", wait.Stdout.Trim());
        await RemoveAsync("cpstopped");
    }

    [Fact]
    public async Task CpOut_ThroughSymlinkToRoot_ReadsTheContainerNotTheHost()
    {
        string sentinelDir = Path.Combine(_host, "sentinel");
        Directory.CreateDirectory(sentinelDir);
        await File.WriteAllTextAsync(Path.Combine(sentinelDir, "secret"), "HOST-SECRET\n");
        string c = await RunDetachedAsync("evilout", "ln -s / /tmp/evil && ln -s " + sentinelDir + " /tmp/evil2 && touch /tmp/ready");
        await WaitForAsync(c, "/tmp/ready");

        // /tmp/evil -> / is the container's own root: its /etc/passwd, not the host's.
        var passwd = await D.DockerAsync("cp", c + ":/tmp/evil/etc/passwd", Path.Combine(_host, "passwd"));
        Assert.True(passwd.ExitCode == 0, passwd.ToString());
        Assert.StartsWith("root:x:0:0:root:/root:/bin/sh\nnobody", await File.ReadAllTextAsync(Path.Combine(_host, "passwd")), StringComparison.Ordinal);

        // A link to a host path resolves inside the rootfs, where that path does not exist.
        var secret = await D.DockerAsync("cp", c + ":/tmp/evil2/secret", Path.Combine(_host, "stolen"));
        Assert.NotEqual(0, secret.ExitCode);
        Assert.False(File.Exists(Path.Combine(_host, "stolen")));
        var viaRoot = await D.DockerAsync("cp", c + ":/tmp/evil" + sentinelDir + "/secret", Path.Combine(_host, "stolen2"));
        Assert.NotEqual(0, viaRoot.ExitCode);
        Assert.False(File.Exists(Path.Combine(_host, "stolen2")));

        // -L follows the final link, still inside the container.
        var follow = await D.DockerAsync("cp", "-L", c + ":/tmp/evil2", Path.Combine(_host, "followed"));
        Assert.NotEqual(0, follow.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_host, "followed")) && File.Exists(Path.Combine(_host, "followed", "secret")));
        await RemoveAsync(c);
    }

    [Fact]
    public async Task CpIn_ThroughSymlinkToRoot_WritesInsideTheRootfsOnly()
    {
        string sentinelDir = Path.Combine(_host, "target");
        Directory.CreateDirectory(sentinelDir);
        string c = await RunDetachedAsync("evilin", "ln -s / /tmp/evil && ln -s " + sentinelDir + " /tmp/evil2 && touch /tmp/ready");
        await WaitForAsync(c, "/tmp/ready");
        string unique = "planted-" + Guid.NewGuid().ToString("N")[..8];
        string f = Path.Combine(_host, unique);
        await File.WriteAllTextAsync(f, "planted\n");

        var cp = await D.DockerAsync("cp", f, c + ":/tmp/evil/");
        Assert.True(cp.ExitCode == 0, cp.ToString());
        Assert.False(File.Exists("/" + unique), "nothing may be written to the host's /");
        var inside = await D.DockerAsync("exec", c, "cat", "/" + unique);
        Assert.Equal("planted\n", inside.Stdout);

        // A link to a host directory: the copy cannot reach the host directory.
        await D.DockerAsync("cp", f, c + ":/tmp/evil2/");
        await D.DockerAsync("cp", f, c + ":/tmp/evil2/" + unique);
        Assert.Empty(Directory.EnumerateFileSystemEntries(sentinelDir));
        await RemoveAsync(c);
    }

    [Fact]
    public async Task CpIn_WhileTheContainerSwapsADirectoryForASymlink_NeverWritesOutside()
    {
        string target = Path.Combine(_host, "swaptarget");
        Directory.CreateDirectory(target);
        string c = await RunDetachedAsync("swapper",
            "mkdir -p /tmp/real " + target + " && while :; do rm -rf /tmp/swap; mkdir /tmp/swap; rm -rf /tmp/swap; ln -s " + target + " /tmp/swap; done");
        string f = Path.Combine(_host, "payload");
        await File.WriteAllTextAsync(f, "x\n");
        for (int i = 0; i < 15; i++)
        {
            await D.DockerAsync("cp", f, c + ":/tmp/swap/");
            await D.DockerAsync("cp", c + ":/tmp/swap/payload", Path.Combine(_host, "readback"));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        await RemoveAsync(c);
    }

    [Fact]
    public async Task CpIn_ReadOnlyRootfs_IsRefused()
    {
        var run = await D.DockerAsync("run", "-d", "--name", "cpro", "--read-only", SharedDaemonFixture.Image, "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        string f = Path.Combine(_host, "ro.txt");
        await File.WriteAllTextAsync(f, "x\n");
        var cp = await D.DockerAsync("cp", f, "cpro:/tmp/");
        Assert.NotEqual(0, cp.ExitCode);
        Assert.Contains("read-only", cp.Stderr, StringComparison.Ordinal);
        await RemoveAsync("cpro");
    }

    [Fact]
    public async Task Export_ContainsBusyboxOwnedByContainerRoot()
    {
        var create = await D.DockerAsync("create", "--name", "exportme", SharedDaemonFixture.Image, "true");
        Assert.True(create.ExitCode == 0, create.ToString());
        string tar = Path.Combine(_host, "export.tar");
        var export = await D.DockerAsync("export", "-o", tar, "exportme");
        Assert.True(export.ExitCode == 0, export.ToString());

        var entries = new Dictionary<string, (int Uid, int Gid, TarEntryType Type)>(StringComparer.Ordinal);
        await using (var fs = File.OpenRead(tar))
        using (var reader = new TarReader(fs))
        {
            while (reader.GetNextEntry() is { } e)
            {
                entries[e.Name] = (e.Uid, e.Gid, e.EntryType);
            }
        }

        Assert.True(entries.TryGetValue("bin/busybox", out var busybox), string.Join(",", entries.Keys.Take(20)));
        Assert.Equal((0, 0, TarEntryType.RegularFile), busybox);
        Assert.Equal(TarEntryType.SymbolicLink, entries["bin/sh"].Type);
        await RemoveAsync("exportme");
    }

    [Fact]
    public async Task Diff_ShowsAddedAndChangedPaths()
    {
        var run = await D.DockerAsync("run", "--name", "diffme", SharedDaemonFixture.Image, "sh", "-c", "touch /newfile /tmp/x && rm /etc/group");
        Assert.True(run.ExitCode == 0, run.ToString());
        var diff = await D.DockerAsync("diff", "diffme");
        Assert.True(diff.ExitCode == 0, diff.ToString());
        var lines = diff.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("A /newfile", lines);
        Assert.Contains("C /tmp", lines);
        Assert.Contains("A /tmp/x", lines);
        Assert.Contains("D /etc/group", lines);
        Assert.DoesNotContain("A /proc", lines);
        await RemoveAsync("diffme");
    }

    private async Task<string> RunDetachedAsync(string name, string? setup = null)
    {
        string script = (setup is null ? "" : setup + "; ") + "sleep 300";
        var run = await D.DockerAsync("run", "-d", "--name", name, SharedDaemonFixture.Image, "sh", "-c", script);
        Assert.True(run.ExitCode == 0, run.ToString());
        return name;
    }

    private async Task WaitForAsync(string container, string path)
    {
        for (int i = 0; i < 100; i++)
        {
            if ((await D.DockerAsync("exec", container, "test", "-e", path)).ExitCode == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{path} never appeared in {container}");
    }

    private async Task RemoveAsync(string container) => await D.DockerAsync("rm", "-f", container);

    private static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);
}
