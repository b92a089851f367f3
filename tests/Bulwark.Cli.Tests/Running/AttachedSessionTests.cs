using System.Text;
using Bulwark.Cli.Running;
using Bulwark.Client;

namespace Bulwark.Cli.Tests.Running;

public sealed class AttachedSessionTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return [stream, 0, 0, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
    }

    /// <summary>A daemon that checks the ordering: attach (101) and wait headers (sent together, either first) → start →
    /// output → wait body.</summary>
    private static Func<FakeRequest, Task> RunScript(int exitCode, string? startError, List<string> violations)
    {
        var attachReady = new TaskCompletionSource<FakeRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waitHeadersSent = new TaskCompletionSource<FakeRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return async request =>
        {
            var path = request.PathWithoutVersion;
            if (request.Method == "HEAD" && path == "/_ping")
            {
                await request.WriteAsync("HTTP/1.1 200 OK\r\nApi-Version: 1.44\r\nContent-Length: 0\r\n\r\n");
            }
            else if (path.StartsWith($"/containers/{Id}/attach", StringComparison.Ordinal))
            {
                if (!request.HasHeader("Connection: Upgrade") || !request.HasHeader("Upgrade: tcp"))
                {
                    violations.Add("attach without upgrade headers");
                }

                request.Hijacked = true;
                await request.WriteAsync("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
                attachReady.SetResult(request);
                _ = StreamOutputAsync(request);
            }
            else if (path.StartsWith($"/containers/{Id}/wait", StringComparison.Ordinal))
            {
                await request.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
                waitHeadersSent.SetResult(request);
                await started.Task;
                await Task.Delay(20);
                var body = $"{{\"Error\":null,\"StatusCode\":{exitCode}}}\n";
                await request.WriteAsync($"{body.Length:x}\r\n{body}\r\n0\r\n\r\n");
            }
            else if (path == $"/containers/{Id}/start")
            {
                if (!waitHeadersSent.Task.IsCompleted)
                {
                    violations.Add("start before the wait headers were sent");
                }

                if (!attachReady.Task.IsCompleted)
                {
                    violations.Add("start before attach");
                }

                if (startError is not null)
                {
                    var json = $"{{\"message\":\"{startError}\"}}";
                    await request.WriteAsync($"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\n\r\n{json}");
                }
                else
                {
                    await request.WriteAsync("HTTP/1.1 204 No Content\r\n\r\n");
                }

                started.TrySetResult();
            }
            else
            {
                await request.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"message\":\"page not found\"}");
            }
        };

        async Task StreamOutputAsync(FakeRequest attach)
        {
            // The client half-closes right after 101 when it has no stdin: reading must see EOF while we keep writing.
            var buffer = new byte[16];
            var n = await attach.Stream.ReadAsync(buffer);
            if (n != 0)
            {
                violations.Add("expected stdin EOF on the hijacked stream");
            }

            await started.Task;
            await attach.WriteAsync([.. Frame(1, "hi\n"), .. Frame(2, "oops\n")]);
            attach.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }
    }

    [Fact]
    public async Task RunAsync_AttachAndWaitBeforeStart_OutputDemuxedAndExitCodeFromWait()
    {
        var violations = new List<string>();
        await using var daemon = new FakeDaemon(RunScript(7, null, violations));
        using var client = new DockerClient(daemon.SocketPath);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var session = new AttachedSession(client, Stream.Null, stdout, stderr);

        var code = await session.RunAsync(Id, tty: false, attachStdin: false, autoRemove: true, proxySignals: false, CancellationToken.None);

        Assert.Empty(violations);
        Assert.Equal(7, code);
        Assert.Equal("hi\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("oops\n", Encoding.UTF8.GetString(stderr.ToArray()));
        var log = daemon.Log.ToList();
        Assert.Equal("HEAD /_ping", log[0]);
        var attach = log.FindIndex(l => l.Contains("/attach?stream=1&stdout=1&stderr=1", StringComparison.Ordinal));
        var wait = log.FindIndex(l => l.Contains("/wait?condition=removed", StringComparison.Ordinal));
        var start = log.FindIndex(l => l.EndsWith("/start", StringComparison.Ordinal));
        Assert.True(attach >= 0 && wait >= 0 && attach < start && wait < start, string.Join(" | ", log));
    }

    [Fact]
    public async Task RunAsync_StartFailsExecutableNotFound_Returns127AfterRemoval()
    {
        var violations = new List<string>();
        await using var daemon = new FakeDaemon(RunScript(127, "exec: \\\"nonexist\\\": executable file not found in $PATH", violations));
        using var client = new DockerClient(daemon.SocketPath);
        using var stderr = new MemoryStream();
        var session = new AttachedSession(client, Stream.Null, Stream.Null, stderr);

        var code = await session.RunAsync(Id, tty: false, attachStdin: false, autoRemove: true, proxySignals: false, CancellationToken.None);

        Assert.Equal(127, code);
        Assert.Contains("Error response from daemon: exec: \"nonexist\": executable file not found", Encoding.UTF8.GetString(stderr.ToArray()),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContainerWaitAsync_HeadersArrive_ReturnsBeforeBody()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var daemon = new FakeDaemon(async request =>
        {
            if (request.Method == "HEAD")
            {
                await request.WriteAsync("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 0\r\n\r\n");
                return;
            }

            await request.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            await release.Task;
            await request.WriteAsync("1d\r\n{\"Error\":null,\"StatusCode\":3}\r\n0\r\n\r\n");
        });
        using var client = new DockerClient(daemon.SocketPath);

        var wait = await client.ContainerWaitAsync("c1", "next-exit", CancellationToken.None);

        Assert.False(wait.Result.IsCompleted);
        Assert.Equal("1.41", client.ApiVersion);
        release.SetResult();
        Assert.Equal(3, (await wait.Result).StatusCode);
        Assert.Contains("POST /containers/c1/wait?condition=next-exit", daemon.Log);
    }

    [Fact]
    public async Task ContainerCreateAsync_JsonError_ThrowsDockerApiExceptionWithMessage()
    {
        await using var daemon = new FakeDaemon(async request =>
        {
            if (request.Method == "HEAD")
            {
                await request.WriteAsync("HTTP/1.1 200 OK\r\nApi-Version: 1.44\r\nContent-Length: 0\r\n\r\n");
                return;
            }

            var body = new byte[int.Parse(request.Headers.First(h => h.StartsWith("Content-Length:", StringComparison.Ordinal))[15..])];
            await request.Stream.ReadExactlyAsync(body);
            var json = "{\"message\":\"No such image: nothere:v1\"}";
            await request.WriteAsync($"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\n\r\n{json}");
        });
        using var client = new DockerClient(daemon.SocketPath);

        var ex = await Assert.ThrowsAsync<DockerApiException>(() =>
            client.ContainerCreateAsync(new Bulwark.Api.Models.Containers.ContainerCreateRequest { Image = "nothere:v1" }, "x", CancellationToken.None));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("No such image: nothere:v1", ex.Message);
        Assert.Contains("POST /containers/create?name=x", daemon.Log);
    }
}
