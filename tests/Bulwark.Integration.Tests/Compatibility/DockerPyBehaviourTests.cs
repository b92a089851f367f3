using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>docker-py (Debian's python3-docker) on what Go and Python clients send and read: null fields, exec streams.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerPyBehaviourTests(SharedDaemonFixture fx)
{
    // Go clients send null for every field they leave unset; the body goes out as written (docker-py's _post_json would
    // drop top-level Nones, so it is posted as raw JSON).
    private const string NullFieldsScript = """
        import json, sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        body = {
            "Image": sys.argv[2], "Cmd": ["true"], "Tty": None, "User": None, "Env": None, "Labels": None, "StopTimeout": None,
            "Healthcheck": {"Test": ["CMD", "true"], "Interval": None, "Timeout": None, "StartPeriod": None, "Retries": None},
            "HostConfig": {"Memory": None, "NanoCpus": None, "Privileged": None, "AutoRemove": None, "ReadonlyRootfs": None,
                           "RestartPolicy": None, "Binds": None, "Tmpfs": None, "PidsLimit": None, "Init": None},
            "NetworkingConfig": None,
        }
        res = client.api.post(client.api._url("/containers/create"), data=json.dumps(body), headers={"Content-Type": "application/json"})
        print("create=%d" % res.status_code)
        if res.status_code == 201:
            cid = res.json()["Id"]
            print("startperiod=%s" % client.api.inspect_container(cid)["Config"]["Healthcheck"].get("StartPeriod", 0))
            client.api.remove_container(cid, force=True)
        else:
            print("body=" + res.text)
        """;

    // docker-py's own exec tests: the start request's Tty decides the framing, whatever the exec was created with.
    private const string ExecStreamsScript = """
        import sys
        import docker
        from docker.utils.socket import next_frame_header, read_exactly

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        api = client.api
        c = client.containers.run(sys.argv[2], ["sleep", "300"], detach=True)
        try:
            r = c.exec_run(["printf", "hello out"], tty=True)
            print("run-tty=%r" % r.output)
            r = c.exec_run(["sh", "-c", "printf out; printf err >&2"], demux=True)
            print("run-demux=%r" % (r.output,))

            # Created with a TTY, started without: frames on the hijacked socket (docker-py's test_exec_start_socket).
            line = "yay, interactive exec!"
            eid = api.exec_create(c.id, ["printf", line], tty=True)["Id"]
            sock = api.exec_start(eid, socket=True)
            stream, size = next_frame_header(sock)
            data = read_exactly(sock, size)
            while len(data) < len(line):
                s2, n2 = next_frame_header(sock)
                if n2 <= 0:
                    break
                data += read_exactly(sock, n2)
            sock.close()
            print("socket-frame=%d %r" % (stream, data.decode()))
            print("inspect-tty=%s" % api.exec_inspect(eid)["ProcessConfig"]["tty"])

            # Created without a TTY, started with one: raw bytes.
            eid = api.exec_create(c.id, ["printf", "hello out"], tty=False)["Id"]
            print("start-tty=%r" % api.exec_start(eid, tty=True))
            print("inspect-notty=%s" % api.exec_inspect(eid)["ProcessConfig"]["tty"])

            # A plain (not upgraded) response follows the same rule: frames without Tty.
            eid = api.exec_create(c.id, ["printf", "plain"])["Id"]
            res = api._post_json(api._url("/exec/{0}/start", eid), data={"Tty": False, "Detach": False}, stream=True)
            print("plain=%r" % res.raw.read())
        finally:
            c.remove(force=True)
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task CreateWithNullForEveryUnsetField_IsAccepted()
    {
        var r = await RunPythonAsync(NullFieldsScript, D.SocketPath, SharedDaemonFixture.Image);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["create=201", "startperiod=0"], lines);
    }

    [Fact]
    public async Task ExecStreams_RawWithTtyAndFramedWithout_OnUpgradedAndPlainResponses()
    {
        var r = await RunPythonAsync(ExecStreamsScript, D.SocketPath, SharedDaemonFixture.Image);
        Assert.True(r.ExitCode == 0, r.ToString());
        string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "run-tty=b'hello out'",
                "run-demux=(b'out', b'err')",
                "socket-frame=1 'yay, interactive exec!'",
                "inspect-tty=True",
                "start-tty=b'hello out'",
                "inspect-notty=False",
                "plain=b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x05plain'",
            ],
            lines);
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
