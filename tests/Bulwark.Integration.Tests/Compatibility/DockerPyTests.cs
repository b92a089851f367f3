using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>The Docker SDK for Python (docker-py from Debian's python3-docker, run by /usr/bin/python3) against bulwarkd.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerPyTests(SharedDaemonFixture fx)
{
    // Each step prints one "key=value" line; a Python exception ends the script with a traceback on stderr.
    private const string LifecycleScript = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        image = sys.argv[2]

        version = client.version()
        print("api=" + version["ApiVersion"])
        print("images=" + ",".join(sorted(t for i in client.images.list() for t in i.tags)))

        print("run=" + repr(client.containers.run(image, "echo hi", remove=True)))

        c = client.containers.run(image, ["sh", "-c", "echo out; echo err >&2; exit 3"], detach=True)
        print("wait=" + str(c.wait()["StatusCode"]))
        print("logs=" + repr(c.logs()))
        print("stdout=" + repr(c.logs(stderr=False)))
        c.remove(force=True)
        try:
            client.containers.get(c.id)
            print("removed=no")
        except docker.errors.NotFound:
            print("removed=yes")

        s = client.containers.run(image, ["sleep", "300"], detach=True)
        s.reload()
        print("status=" + s.status)
        r = s.exec_run(["sh", "-c", "echo in-exec; exit 7"])
        print("exec=%d %r" % (r.exit_code, r.output))
        s.remove(force=True)

        try:
            client.containers.create("test/does-not-exist:1", "true")
            print("create-missing=no error")
        except docker.errors.ImageNotFound:
            print("create-missing=ImageNotFound")
        try:
            client.images.get("test/does-not-exist:1")
            print("get-missing=no error")
        except docker.errors.ImageNotFound:
            print("get-missing=ImageNotFound")
        print("done")
        """;

    // containers.run() creates, gets 404 "No such image", pulls, and re-raises what the pull answered: docker-py maps a
    // 404 to ImageNotFound only when the message says "No such image", "repository does not exist" or
    // "not found: does not exist or no pull access" (docker/errors.py create_api_error_from_http_exception).
    private const string RunMissingScript = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        try:
            client.containers.run("test/does-not-exist:1", "true", remove=True)
            print("run-missing=no error")
        except docker.errors.ImageNotFound as e:
            print("run-missing=ImageNotFound")
        except docker.errors.APIError as e:
            print("run-missing=%s %s %r" % (type(e).__name__, e.status_code, e.explanation))
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerPy_VersionImagesRunLogsWaitExecAndMissingImage_BehaveLikeDocker()
    {
        var r = await RunPythonAsync(LifecycleScript, D.SocketPath, SharedDaemonFixture.Image);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("api=1.44", lines);
        Assert.Contains(lines, l => l.StartsWith("images=", StringComparison.Ordinal) && l.Contains(SharedDaemonFixture.Image, StringComparison.Ordinal));
        Assert.Contains("run=b'hi\\n'", lines);
        Assert.Contains("wait=3", lines);
        Assert.Contains("logs=b'out\\nerr\\n'", lines);
        Assert.Contains("stdout=b'out\\n'", lines);
        Assert.Contains("removed=yes", lines);
        Assert.Contains("status=running", lines);
        Assert.Contains("exec=7 b'in-exec\\n'", lines);
        Assert.Contains("create-missing=ImageNotFound", lines);
        Assert.Contains("get-missing=ImageNotFound", lines);
        Assert.Equal("done", lines[^1]);
    }

    [Fact]
    public async Task DockerPy_RunWithMissingImage_RaisesImageNotFound()
    {
        var r = await RunPythonAsync(RunMissingScript, D.SocketPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("run-missing=ImageNotFound", r.Stdout.Trim());
    }

    // containers.run(remove=True) opens a following log stream, waits, removes the container and only then reads the
    // stream: the last lines must be delivered although the container and its log file are gone by then.
    private const string RunRemoveScript = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        outs = [client.containers.run(sys.argv[2], ["sh", "-c", "echo hi-%d" % i], remove=True) for i in range(15)]
        print("lost=" + str(sum(1 for i, o in enumerate(outs) if o != ("hi-%d\n" % i).encode())))
        """;

    [Fact]
    public async Task ContainersRunWithRemove_ReturnsTheOutputEveryTime()
    {
        var r = await RunPythonAsync(RunRemoveScript, D.SocketPath, SharedDaemonFixture.Image);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("lost=0", r.Stdout.Trim());
    }

    private async Task<CommandResult> RunPythonAsync(string script, params string[] args)
    {
        string dir = Path.Combine(D.Root, "py");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, Guid.NewGuid().ToString("N")[..8] + ".py");
        await File.WriteAllTextAsync(file, script);
        try
        {
            return await ProcessRunner.RunAsync("/usr/bin/python3", [file, .. args], timeout: TimeSpan.FromSeconds(120));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
