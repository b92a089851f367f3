using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary><c>docker commit</c>, docker-py's <c>Container.commit</c> and <c>bulwark commit</c> against bulwarkd.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerCommitTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task DockerCommit_WithChanges_MakesAnImageWithTheContainersFilesAndDeletions()
    {
        string name = Unique("commit");
        string image = "test/" + name + ":1";
        try
        {
            var run = await D.DockerAsync("run", "--name", name, SharedDaemonFixture.Image, "sh", "-c", "echo hello > /greeting && rm /bin/vi");
            Assert.True(run.ExitCode == 0, run.ToString());

            var commit = await D.DockerAsync("commit", "-a", "Ada <ada@example.org>", "-m", "greeting added",
                "-c", "CMD [\"cat\", \"/greeting\"]", "-c", "ENV MODE=committed", "-c", "EXPOSE 8080", name, image);
            Assert.True(commit.ExitCode == 0, commit + D.DaemonLog);
            Assert.Matches("^sha256:[0-9a-f]{64}$", commit.Stdout.Trim());

            var defaultCmd = await D.DockerAsync("run", "--rm", image);
            Assert.True(defaultCmd.ExitCode == 0, defaultCmd.ToString());
            Assert.Equal("hello\n", defaultCmd.Stdout);
            var files = await D.DockerAsync("run", "--rm", image, "sh", "-c", "echo $MODE; test -e /bin/vi && echo vi-present || echo vi-gone");
            Assert.Equal("committed\nvi-gone\n", files.Stdout);

            var inspect = await D.DockerAsync("image", "inspect", "-f", "{{.Author}}|{{.Comment}}|{{json .Config.ExposedPorts}}|{{len .RootFS.Layers}}", image);
            var baseLayers = await D.DockerAsync("image", "inspect", "-f", "{{len .RootFS.Layers}}", SharedDaemonFixture.Image);
            Assert.Equal($"Ada <ada@example.org>|greeting added|{{\"8080/tcp\":{{}}}}|{int.Parse(baseLayers.Stdout.Trim()) + 1}", inspect.Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
            await D.DockerAsync("rmi", image);
        }
    }

    [Fact]
    public async Task DockerCommit_OfARunningContainer_PausesAndLeavesItRunning()
    {
        string name = Unique("commit");
        string image = "test/" + name + ":live";
        try
        {
            Assert.Equal(0, (await D.DockerAsync("run", "-d", "--name", name, SharedDaemonFixture.Image, "sleep", "600")).ExitCode);
            Assert.Equal(0, (await D.DockerAsync("exec", name, "sh", "-c", "echo live > /state")).ExitCode);

            var commit = await D.DockerAsync("commit", name, image);
            Assert.True(commit.ExitCode == 0, commit.ToString());
            Assert.Equal("running", (await D.DockerAsync("inspect", "-f", "{{.State.Status}}", name)).Stdout.Trim());
            Assert.Equal("live\n", (await D.DockerAsync("run", "--rm", image, "cat", "/state")).Stdout);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
            await D.DockerAsync("rmi", image);
        }
    }

    [Fact]
    public async Task DockerCommit_OnbuildChange_IsRefusedByName_AndNoImageIsMade()
    {
        string name = Unique("commit");
        try
        {
            Assert.Equal(0, (await D.DockerAsync("create", "--name", name, SharedDaemonFixture.Image, "true")).ExitCode);
            var commit = await D.DockerAsync("commit", "-c", "ONBUILD RUN true", name, "test/" + name + ":bad");
            Assert.Equal(1, commit.ExitCode);
            Assert.Contains("ONBUILD is not supported", commit.Stderr, StringComparison.Ordinal);
            Assert.NotEqual(0, (await D.DockerAsync("image", "inspect", "test/" + name + ":bad")).ExitCode);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    private const string PyScript = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        c = client.containers.run(sys.argv[2], ["sh", "-c", "echo py > /py"], detach=True)
        c.wait()
        img = c.commit(repository="test/pycommit", tag=sys.argv[3], changes=["LABEL made=by-py"])
        print("labels=" + repr(img.labels))
        print("out=" + repr(client.containers.run(img.id, ["cat", "/py"], remove=True)))
        c.remove()
        client.images.remove(img.id, force=True)
        """;

    [Fact]
    public async Task DockerPy_ContainerCommit_ReturnsTheNewImage()
    {
        string dir = Path.Combine(D.Root, "py");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "commit-" + Guid.NewGuid().ToString("N")[..8] + ".py");
        await File.WriteAllTextAsync(file, PyScript);
        try
        {
            var r = await ProcessRunner.RunAsync("/usr/bin/python3", [file, D.SocketPath, SharedDaemonFixture.Image, Unique("t")],
                timeout: TimeSpan.FromSeconds(120));
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("labels={'made': 'by-py'}", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("out=b'py\\n'", r.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task BulwarkCommit_PrintsTheIdAndTheImageRunsTheChange()
    {
        string name = Unique("commit");
        string image = "test/" + name + ":cli";
        try
        {
            Assert.Equal(0, (await D.CliAsync("run", "--name", name, SharedDaemonFixture.Image, "sh", "-c", "echo cli > /cli")).ExitCode);
            var commit = await D.CliAsync("commit", "-c", "WORKDIR /srv", "--pause=false", name, image);
            Assert.True(commit.ExitCode == 0, commit.ToString());
            string id = commit.Stdout.Trim();
            Assert.Matches("^sha256:[0-9a-f]{64}$", id);
            var inspect = await D.CliAsync("inspect", image);
            using var doc = JsonDocument.Parse(inspect.Stdout);
            Assert.Equal(id, doc.RootElement[0].GetProperty("Id").GetString());
            Assert.Equal("/srv\ncli\n", (await D.CliAsync("run", "--rm", image, "sh", "-c", "pwd; cat /cli")).Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", name);
            await D.CliAsync("rmi", image);
        }
    }
}
