using System.Diagnostics;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Volumes;

/// <summary>--mount forms, copy-up from the image, and the hostile cases: nothing outside the rootfs or the volume is
/// ever read or written.</summary>
[Collection(DaemonCollection.Name)]
public sealed class VolumeMountTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task MountFlag_VolumeBindAndTmpfs_AreMountedAsAsked()
    {
        string v = VolumeTestSupport.UniqueName("mnt");
        string host = Path.Combine(D.Root, VolumeTestSupport.UniqueName("bindsrc"));
        Directory.CreateDirectory(host);
        await File.WriteAllTextAsync(Path.Combine(host, "hello"), "from-host\n");
        try
        {
            var r = await D.OkAsync("run", "--rm",
                "--mount", $"type=volume,src={v},dst=/vol,volume-label=made=by-mount",
                "--mount", $"type=bind,src={host},dst=/bind,readonly,bind-propagation=rslave",
                "--mount", "type=tmpfs,dst=/scratch,tmpfs-size=1048576,tmpfs-mode=1770",
                Image, "sh", "-c", "echo v > /vol/f; cat /bind/hello; grep -E ' /(vol|bind|scratch) ' /proc/mounts | sort -k2");
            string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("from-host", lines[0]);
            Assert.Matches(@" /bind \S+ ro,", lines[1]);
            Assert.Matches(@"^tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,.*size=1024k,mode=1770", lines[2]);
            Assert.Matches(@" /vol \S+ rw,nosuid,nodev", lines[3]);
            Assert.Equal("v\n", await File.ReadAllTextAsync(Path.Combine(D.DataDir(v), "f")));
            var labels = VolumeTestSupport.Inspect((await D.OkAsync("volume", "inspect", v)).Stdout).GetProperty("Labels");
            Assert.Equal("by-mount", labels.GetProperty("made").GetString());

            // An anonymous --mount volume (no src) goes away with --rm.
            var before = await D.VolumeNamesAsync();
            await D.OkAsync("run", "--rm", "--mount", "type=volume,dst=/anon", Image, "touch", "/anon/x");
            Assert.Equal(before.Order(), (await D.VolumeNamesAsync()).Order());
        }
        finally
        {
            await D.CleanupAsync([], [v]);
        }
    }

    [Fact]
    public async Task MountFlag_BadKeysTypesAndFields_AreRefusedByName()
    {
        var key = await D.DockerAsync("run", "--rm", "--mount", "type=volume,dst=/x,colour=blue", Image, "true");
        Assert.Equal(125, key.ExitCode);
        Assert.Contains("unexpected key 'colour'", key.Stderr, StringComparison.Ordinal);

        var type = await D.DockerAsync("run", "--rm", "--mount", "type=npipe,src=/a,dst=/x", Image, "true");
        Assert.Equal(125, type.ExitCode);
        Assert.Contains("mount type \"npipe\" is not supported", type.Stderr, StringComparison.Ordinal);

        var subpath = await D.DockerAsync("run", "--rm", "--mount", "type=volume,src=subp,dst=/x,volume-subpath=a", Image, "true");
        Assert.Equal(125, subpath.ExitCode);
        Assert.Contains("volume-subpath is not supported", subpath.Stderr, StringComparison.Ordinal);

        var driverOpt = await D.DockerAsync("run", "--rm", "--mount", "type=volume,src=dopt,dst=/x,volume-opt=type=tmpfs", Image, "true");
        Assert.Equal(125, driverOpt.ExitCode);
        Assert.Contains("volume driver option(s) type not supported", driverOpt.Stderr, StringComparison.Ordinal);

        var nocopyBind = await D.DockerAsync("run", "--rm", "-v", "/tmp:/x:nocopy", Image, "true");
        Assert.Equal(125, nocopyBind.ExitCode);
        Assert.Contains("nocopy applies to volumes", nocopyBind.Stderr, StringComparison.Ordinal);

        // Fields the docker CLI cannot send but an API client can: named in the 400.
        var (status, body) = await VolumeTestSupport.ApiAsync(D, "POST", "/containers/create",
            $$$"""{"Image":"{{{Image}}}","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"volume","Target":"/x","Bogus":1}]}}""");
        Assert.Equal(400, status);
        Assert.Contains("unknown field(s) Bogus", body, StringComparison.Ordinal);
        (status, body) = await VolumeTestSupport.ApiAsync(D, "POST", "/containers/create",
            $$$"""{"Image":"{{{Image}}}","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/x","VolumeOptions":{}}]}}""");
        Assert.Equal(400, status);
        Assert.Contains("VolumeOptions must not be specified on mount type", body, StringComparison.Ordinal);
        Assert.DoesNotContain("subp", await D.VolumeNamesAsync());
        Assert.DoesNotContain("dopt", await D.VolumeNamesAsync());
    }

    [Fact]
    public async Task CopyUp_FillsAnEmptyVolumeFromTheImage_PreservingOwnersModesAndLinks_UnlessNocopy()
    {
        string tag = "test/volseed:" + Guid.NewGuid().ToString("N")[..6];
        await VolumeTestSupport.ImportImageAsync(D, tag, "/seed", rootfs =>
        {
            string seed = Path.Combine(rootfs, "seed");
            Directory.CreateDirectory(Path.Combine(seed, "sub"));
            File.WriteAllText(Path.Combine(seed, "file"), "from-image\n");
            File.WriteAllText(Path.Combine(seed, "sub", "owned"), "owned\n");
            File.CreateSymbolicLink(Path.Combine(seed, "link"), "/etc/passwd");
            Chown(Path.Combine(seed, "sub", "owned"), "1000:1000");
            File.SetUnixFileMode(Path.Combine(seed, "sub", "owned"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(seed, (UnixFileMode)Convert.ToInt32("751", 8));
        });
        string named = VolumeTestSupport.UniqueName("copyup");
        string nocopy = VolumeTestSupport.UniqueName("nocopy");
        try
        {
            const string Show = "stat -c '%a %u:%g %n' /seed /seed/file /seed/sub/owned; readlink /seed/link; cat /seed/file";
            var r = await D.OkAsync("run", "--rm", "-v", named + ":/seed", tag, "sh", "-c", Show);
            Assert.Equal("751 0:0 /seed\n644 0:0 /seed/file\n600 1000:1000 /seed/sub/owned\n/etc/passwd\nfrom-image\n", r.Stdout);

            // The volume is stored with container ids (it is mounted idmapped into each container's range).
            Assert.Equal(1000u, VolumeTestSupport.Owner(Path.Combine(D.DataDir(named), "sub", "owned")).Uid);
            Assert.NotNull(new FileInfo(Path.Combine(D.DataDir(named), "link")).LinkTarget);

            // A volume that already has content is not copied into again.
            await D.OkAsync("run", "--rm", "-v", named + ":/seed", tag, "sh", "-c", "rm /seed/file; echo mine > /seed/own");
            Assert.Equal("mine\n", (await D.OkAsync("run", "--rm", "-v", named + ":/seed", tag, "sh", "-c", "cat /seed/own; ls /seed/file 2>/dev/null; true")).Stdout);

            var n = await D.OkAsync("run", "--rm", "-v", nocopy + ":/seed:nocopy", tag, "ls", "-A", "/seed");
            Assert.Equal("", n.Stdout);
            var m = await D.OkAsync("run", "--rm", "--mount", $"type=volume,src={nocopy},dst=/seed,volume-nocopy", tag, "ls", "-A", "/seed");
            Assert.Equal("", m.Stdout);
        }
        finally
        {
            await D.CleanupAsync([], [named, nocopy]);
            await D.DockerAsync("rmi", tag);
        }
    }

    [Fact]
    public async Task Hostile_SymlinkAtTheMountPath_AndInsideTheImageDir_NeverReachTheHost()
    {
        // A host directory with a secret: the image points its VOLUME path, and links inside it, at this host path.
        string hostDir = Path.Combine(D.Root, VolumeTestSupport.UniqueName("hostsecret"));
        Directory.CreateDirectory(hostDir);
        await File.WriteAllTextAsync(Path.Combine(hostDir, "secret"), "host-secret\n");
        string tag = "test/volevil:" + Guid.NewGuid().ToString("N")[..6];
        await VolumeTestSupport.ImportImageAsync(D, tag, "/evil", rootfs =>
        {
            File.CreateSymbolicLink(Path.Combine(rootfs, "evil"), hostDir);
            Directory.CreateDirectory(Path.Combine(rootfs, "inner"));
            File.CreateSymbolicLink(Path.Combine(rootfs, "inner", "secretlink"), Path.Combine(hostDir, "secret"));
            File.CreateSymbolicLink(Path.Combine(rootfs, "inner", "dirlink"), hostDir);
        });
        string atLink = VolumeTestSupport.UniqueName("atlink");
        string inner = VolumeTestSupport.UniqueName("inner");
        try
        {
            var r = await D.OkAsync("run", "--rm", "-v", atLink + ":/evil", tag, "sh", "-c", "ls -A /evil/; echo pwned > /evil/written; echo done");
            Assert.Equal("done\n", r.Stdout); // the volume was empty: nothing of the host directory was copied in
            Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(hostDir).Select(Path.GetFileName));
            Assert.Equal("host-secret\n", await File.ReadAllTextAsync(Path.Combine(hostDir, "secret")));
            Assert.Equal("pwned\n", await File.ReadAllTextAsync(Path.Combine(D.DataDir(atLink), "written")));

            // Links inside the copied directory are copied as links; writing through them from the container stays inside it.
            await D.OkAsync("run", "--rm", "-v", inner + ":/inner", tag, "sh", "-c", "echo over > /inner/dirlink/planted 2>/dev/null; cat /inner/secretlink 2>/dev/null; true");
            Assert.NotNull(new FileInfo(Path.Combine(D.DataDir(inner), "secretlink")).LinkTarget);
            Assert.NotNull(new FileInfo(Path.Combine(D.DataDir(inner), "dirlink")).LinkTarget);
            Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(hostDir).Select(Path.GetFileName));

            // A name that tries to leave the volumes directory never gets that far, through any door.
            var (status, body) = await VolumeTestSupport.ApiAsync(D, "POST", "/volumes/create", """{"Name":"../escape"}""");
            Assert.Equal(400, status);
            Assert.Contains("includes invalid characters", body, StringComparison.Ordinal);
            (status, _) = await VolumeTestSupport.ApiAsync(D, "POST", "/containers/create",
                $$$"""{"Image":"{{{Image}}}","Cmd":["true"],"HostConfig":{"Binds":["../escape:/x"]}}""");
            Assert.Equal(400, status);
            (status, _) = await VolumeTestSupport.ApiAsync(D, "POST", "/containers/create",
                $$$"""{"Image":"{{{Image}}}","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"volume","Source":"..","Target":"/x"}]}}""");
            Assert.Equal(400, status);
            (status, _) = await VolumeTestSupport.ApiAsync(D, "DELETE", "/volumes/..%2Fescape");
            Assert.Equal(404, status);
            Assert.False(Directory.Exists(Path.Combine(D.DataRoot, "escape")));
        }
        finally
        {
            await D.CleanupAsync([], [atLink, inner]);
            await D.DockerAsync("rmi", tag);
        }
    }

    [Fact]
    public async Task DockerCp_IntoAndOutOfAVolume_StaysInsideTheVolume()
    {
        string v = VolumeTestSupport.UniqueName("cp");
        string ro = VolumeTestSupport.UniqueName("cpro");
        string c = VolumeTestSupport.UniqueName("cpholder");
        string src = Path.Combine(D.Root, VolumeTestSupport.UniqueName("cpsrc"));
        string hostDir = Path.Combine(D.Root, VolumeTestSupport.UniqueName("cphost"));
        Directory.CreateDirectory(hostDir);
        await File.WriteAllTextAsync(src, "copied-in\n");
        try
        {
            // The container plants links in the volume: one to "/", one to a host directory by its absolute path.
            await D.OkAsync("run", "--name", c, "-v", v + ":/data", "-v", ro + ":/ro:ro", Image, "sh", "-c",
                $"mkdir /data/sub && ln -s / /data/root && ln -s {hostDir} /data/host && echo inside > /data/sub/f");

            // Into the volume, also through the planted links: everything lands inside _data, nothing on the host.
            await D.OkAsync("cp", src, c + ":/data/sub/in");
            await D.OkAsync("cp", src, c + ":/data/root/");
            var viaHostLink = await D.DockerAsync("cp", src, c + ":/data/host/");
            Assert.Equal("copied-in\n", await File.ReadAllTextAsync(Path.Combine(D.DataDir(v), "sub", "in")));
            Assert.Equal("copied-in\n", await File.ReadAllTextAsync(Path.Combine(D.DataDir(v), Path.GetFileName(src))));
            Assert.Empty(Directory.EnumerateFileSystemEntries(hostDir));
            Assert.False(File.Exists(Path.Combine("/", Path.GetFileName(src))));
            Assert.Equal(0u, VolumeTestSupport.Owner(Path.Combine(D.DataDir(v), "sub", "in")).Uid); // container root, stored unshifted
            Assert.NotEqual(0, viaHostLink.ExitCode); // the link's target does not exist inside the volume

            // Out of the volume; the container sees the copied file too.
            string outDir = Path.Combine(D.Root, VolumeTestSupport.UniqueName("cpout"));
            Directory.CreateDirectory(outDir);
            await D.OkAsync("cp", c + ":/data/sub", outDir);
            Assert.Equal("inside\n", await File.ReadAllTextAsync(Path.Combine(outDir, "sub", "f")));
            var hostPasswd = await D.DockerAsync("cp", c + ":/data/root/etc/passwd", Path.Combine(outDir, "passwd"));
            Assert.NotEqual(0, hostPasswd.ExitCode); // "/" inside the volume is the volume: no /etc there
            Assert.Equal("copied-in\n", (await D.OkAsync("run", "--rm", "-v", v + ":/data", Image, "cat", "/data/sub/in")).Stdout);

            // A read-only volume mount refuses copies into it.
            var intoRo = await D.DockerAsync("cp", src, c + ":/ro/x");
            Assert.NotEqual(0, intoRo.ExitCode);
            Assert.Contains("mounted volume is marked read-only", intoRo.Stderr, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(D.DataDir(ro)));
        }
        finally
        {
            await D.CleanupAsync([c], [v, ro]);
        }
    }

    [Fact]
    public async Task DockerPy_VolumeRoundTrip()
    {
        string v = VolumeTestSupport.UniqueName("py");
        const string Script = """
            import sys
            import docker
            client = docker.DockerClient(base_url="unix://" + sys.argv[1])
            vol = client.volumes.create(name=sys.argv[3], labels={"from": "docker-py"})
            print("created=" + vol.name + " " + vol.attrs["Driver"] + " " + vol.attrs["Labels"]["from"])
            c = client.containers.run(sys.argv[2], ["sh", "-c", "echo py > /d/f; cat /d/f"], detach=True,
                                      volumes={sys.argv[3]: {"bind": "/d", "mode": "rw"}})
            print("wait=%d" % c.wait()["StatusCode"])
            print("run=" + c.logs().decode().strip())
            c.reload()
            print("mounts=" + ",".join("%s:%s:%s" % (m["Type"], m["Name"], m["Destination"]) for m in c.attrs["Mounts"]))
            c.remove(v=True)
            print("listed=" + str(sys.argv[3] in [x.name for x in client.volumes.list()]))
            client.volumes.get(sys.argv[3]).remove()
            try:
                client.volumes.get(sys.argv[3])
                print("gone=no")
            except docker.errors.NotFound:
                print("gone=yes")
            """;
        string file = Path.Combine(D.Root, VolumeTestSupport.UniqueName("py") + ".py");
        await File.WriteAllTextAsync(file, Script);
        try
        {
            var r = await ProcessRunner.RunAsync("/usr/bin/python3", [file, D.SocketPath, Image, v], timeout: TimeSpan.FromSeconds(120));
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal($"created={v} local docker-py\nwait=0\nrun=py\nmounts=volume:{v}:/d\nlisted=True\ngone=yes\n", r.Stdout);
        }
        finally
        {
            File.Delete(file);
            await D.CleanupAsync([], [v]);
        }
    }

    private static void Chown(string path, string owner)
    {
        using var p = Process.Start("chown", ["-h", owner, path])!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
