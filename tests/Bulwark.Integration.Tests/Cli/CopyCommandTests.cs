using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Cli;

/// <summary><c>bulwark cp</c> both ways, with docker's naming rules and a tar on stdout.</summary>
[Collection(DaemonCollection.Name)]
public sealed class CopyCommandTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task CopyIntoAndOutOf_AFileAndADirectoryTree()
    {
        var work = Path.Combine(D.Root, "day-cp");
        Directory.CreateDirectory(Path.Combine(work, "tree", "sub"));
        File.WriteAllText(Path.Combine(work, "host.txt"), "from the host\n");
        File.WriteAllText(Path.Combine(work, "tree", "sub", "leaf.txt"), "leaf\n");
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-cp", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            // Into an existing directory: keeps its name. Onto a new path: takes that name.
            Assert.Equal(0, (await D.CliAsync("cp", Path.Combine(work, "host.txt"), "day-cp:/tmp")).ExitCode);
            Assert.Equal(0, (await D.CliAsync("cp", Path.Combine(work, "host.txt"), "day-cp:/tmp/renamed.txt")).ExitCode);
            Assert.Equal(0, (await D.CliAsync("cp", Path.Combine(work, "tree"), "day-cp:/root/copied")).ExitCode);
            var inside = await D.CliAsync("exec", "day-cp", "sh", "-c", "cat /tmp/host.txt /tmp/renamed.txt /root/copied/sub/leaf.txt");
            Assert.Equal("from the host\nfrom the host\nleaf\n", inside.Stdout);

            Assert.Equal(0, (await D.CliAsync("exec", "day-cp", "sh", "-c", "mkdir -p /srv/out/deep && echo made inside > /srv/out/deep/f.txt")).ExitCode);
            var outFile = Path.Combine(work, "f-copy.txt");
            var r = await D.CliAsync("cp", "day-cp:/srv/out/deep/f.txt", outFile);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("made inside\n", File.ReadAllText(outFile));
            Assert.Equal(0, (await D.CliAsync("cp", "day-cp:/srv/out", work)).ExitCode);
            Assert.Equal("made inside\n", File.ReadAllText(Path.Combine(work, "out", "deep", "f.txt")));
            Assert.Equal(0, (await D.CliAsync("cp", "day-cp:/srv/out", Path.Combine(work, "named"))).ExitCode);
            Assert.Equal("made inside\n", File.ReadAllText(Path.Combine(work, "named", "deep", "f.txt")));
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-cp");
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task CopyToStdout_IsATarOfThePath()
    {
        Assert.Equal(0, (await D.CliAsync("create", "--name", "day-cp-tar", SharedDaemonFixture.Image, "true")).ExitCode);
        var tar = Path.Combine(D.Root, "day-cp.tar");
        try
        {
            var r = await ProcessRunner.RunAsync("sh", ["-c", $"'{RepoPaths.Cli}' cp day-cp-tar:/etc - > '{tar}'"],
                new Dictionary<string, string> { ["BULWARK_HOST"] = D.Host });
            Assert.True(r.ExitCode == 0, r.ToString());
            var list = await ProcessRunner.RunAsync("tar", ["-tf", tar]);
            Assert.Contains("etc/passwd", list.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-cp-tar");
            File.Delete(tar);
        }
    }

    [Fact]
    public async Task Copy_MissingSourceOrContainer_FailsNamingIt()
    {
        Assert.Equal(0, (await D.CliAsync("create", "--name", "day-cp-bad", SharedDaemonFixture.Image, "true")).ExitCode);
        try
        {
            var missingInside = await D.CliAsync("cp", "day-cp-bad:/no/such/file", D.Root);
            Assert.NotEqual(0, missingInside.ExitCode);
            Assert.Contains("/no/such/file", missingInside.Stderr, StringComparison.Ordinal);
            var missingHost = await D.CliAsync("cp", "/no/such/host/file", "day-cp-bad:/tmp");
            Assert.Equal(1, missingHost.ExitCode);
            Assert.Contains("/no/such/host/file", missingHost.Stderr, StringComparison.Ordinal);
            var noContainer = await D.CliAsync("cp", "day-cp-none:/etc/passwd", D.Root);
            Assert.Contains("No such container", noContainer.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-cp-bad");
        }
    }
}
