using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary><c>--volumes-from</c> with the docker CLI, docker-py and our CLI: the source's volumes and binds at the same
/// destinations, the source's mode by default, ":ro" forcing read-only.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerVolumesFromTests(SharedDaemonFixture fx)
{
    private const string VolumesFromScript = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        out = client.containers.run(sys.argv[2], ["cat", "/data/note"], volumes_from=[sys.argv[3]], remove=True)
        print(out.decode().strip())
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task VolumesFrom_SharesNamedAnonymousVolumesAndBinds_AndReadOnlyRefusesWrites()
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string c1 = "vf1-" + suffix, c2 = "vf2-" + suffix, c3 = "vf3-" + suffix, volume = "vfvol-" + suffix;
        string bindDir = Path.Combine(D.Root, "vf-bind-" + suffix);
        Directory.CreateDirectory(bindDir);
        await File.WriteAllTextAsync(Path.Combine(bindDir, "host.txt"), "from-host\n");
        try
        {
            var run1 = await D.DockerAsync("run", "--name", c1, "-v", volume + ":/data", "-v", "/anon", "-v", bindDir + ":/bind:ro",
                SharedDaemonFixture.Image, "sh", "-c", "echo written-by-c1 > /data/note && echo anon-by-c1 > /anon/a");
            Assert.True(run1.ExitCode == 0, run1.ToString());

            var run2 = await D.DockerAsync("run", "--name", c2, "--volumes-from", c1, SharedDaemonFixture.Image,
                "sh", "-c", "cat /data/note /anon/a /bind/host.txt && echo c2 >> /data/note && (touch /bind/x 2>/dev/null && echo bind-writable || echo bind-ro)");
            Assert.True(run2.ExitCode == 0, run2.ToString());
            Assert.Equal(["written-by-c1", "anon-by-c1", "from-host", "bind-ro"], run2.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("[" + c1 + "]", (await D.DockerAsync("inspect", "-f", "{{.HostConfig.VolumesFrom}}", c2)).Stdout.Trim());
            string mounts = (await D.DockerAsync("inspect", "-f", "{{range .Mounts}}{{.Destination}}={{.RW}} {{end}}", c2)).Stdout;
            Assert.Contains("/data=true", mounts, StringComparison.Ordinal);
            Assert.Contains("/anon=true", mounts, StringComparison.Ordinal);
            Assert.Contains("/bind=false", mounts, StringComparison.Ordinal); // the source's :ro kept

            var ro = await D.DockerAsync("run", "--name", c3, "--volumes-from", c1 + ":ro", SharedDaemonFixture.Image,
                "sh", "-c", "cat /data/note; echo more > /data/note && echo wrote || echo refused");
            Assert.True(ro.ExitCode == 0, ro.ToString());
            Assert.Equal(["written-by-c1", "c2", "refused"], ro.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("/data=false", (await D.DockerAsync("inspect", "-f", "{{range .Mounts}}{{.Destination}}={{.RW}} {{end}}", c3)).Stdout, StringComparison.Ordinal);

            var ours = await D.CliAsync("run", "--rm", "--volumes-from", c1 + ":ro", SharedDaemonFixture.Image, "cat", "/anon/a");
            Assert.True(ours.ExitCode == 0, ours.ToString());
            Assert.Equal("anon-by-c1", ours.Stdout.Trim());

            var missing = await D.DockerAsync("create", "--volumes-from", "no-such-" + suffix, SharedDaemonFixture.Image, "true");
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains("No such container: no-such-" + suffix, missing.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", c3);
            await D.DockerAsync("rm", "-f", c2);
            await D.DockerAsync("rm", "-f", "-v", c1);
            await D.DockerAsync("volume", "rm", "-f", volume);
            Directory.Delete(bindDir, recursive: true);
        }
    }

    [Fact]
    public async Task DockerPy_VolumesFrom_ReadsTheSourcesVolume()
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string c1 = "vfpy-" + suffix, volume = "vfpyvol-" + suffix;
        string dir = Path.Combine(D.Root, "py");
        Directory.CreateDirectory(dir);
        string script = Path.Combine(dir, "vf-" + suffix + ".py");
        await File.WriteAllTextAsync(script, VolumesFromScript);
        try
        {
            var run1 = await D.DockerAsync("run", "--name", c1, "-v", volume + ":/data", SharedDaemonFixture.Image, "sh", "-c", "echo py-sees-this > /data/note");
            Assert.True(run1.ExitCode == 0, run1.ToString());
            var py = await ProcessRunner.RunAsync("/usr/bin/python3", [script, D.SocketPath, SharedDaemonFixture.Image, c1], timeout: TimeSpan.FromSeconds(120));
            Assert.True(py.ExitCode == 0, py.ToString());
            Assert.Equal("py-sees-this", py.Stdout.Trim());
        }
        finally
        {
            File.Delete(script);
            await D.DockerAsync("rm", "-f", c1);
            await D.DockerAsync("volume", "rm", "-f", volume);
        }
    }
}
