using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>Swarm endpoints answer as a dockerd that is not in a swarm, so clients' swarm probes and clean-up code work.</summary>
[Collection(DaemonCollection.Name)]
public sealed class SwarmTests(SharedDaemonFixture fx)
{
    // docker-py's own integration tests call leave_swarm(force=True) in their tear-down: it must return True on 503.
    private const string Script = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        print("leave=" + repr(client.swarm.leave(force=True)))
        print("state=" + client.info()["Swarm"]["LocalNodeState"])
        for name, call in [("nodes", client.nodes.list), ("services", client.services.list), ("configs", client.configs.list),
                           ("inspect", client.api.inspect_swarm), ("tasks", client.api.tasks)]:
            try:
                call()
                print(name + "=no error")
            except docker.errors.APIError as e:
                print("%s=%d %s" % (name, e.status_code, e.explanation))
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerPy_LeaveSwarmForce_IsDone_AndSwarmObjectsAnswer503NotAManager()
    {
        string dir = Path.Combine(D.Root, "py");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "swarm-" + Guid.NewGuid().ToString("N")[..8] + ".py");
        await File.WriteAllTextAsync(file, Script);
        CommandResult r;
        try
        {
            r = await ProcessRunner.RunAsync("/usr/bin/python3", [file, D.SocketPath], timeout: TimeSpan.FromSeconds(60));
        }
        finally
        {
            File.Delete(file);
        }
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("leave=True", lines);
        Assert.Contains("state=inactive", lines);
        const string notManager = "503 This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";
        foreach (string name in new[] { "nodes", "services", "configs", "inspect", "tasks" })
        {
            Assert.Contains(name + "=" + notManager, lines);
        }
    }

    [Fact]
    public async Task DockerNodeLs_PrintsDockersNotASwarmManagerError()
    {
        var r = await D.DockerAsync("node", "ls");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Error response from daemon: This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.",
            r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerSwarmLeave_SaysNotPartOfASwarm()
    {
        var r = await D.DockerAsync("swarm", "leave", "--force");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("This node is not part of a swarm", r.Stderr, StringComparison.Ordinal);
    }
}
