using System.Net.Sockets;
using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Resilience;

/// <summary>Hostile or broken clients get clear errors and never wedge the daemon or leak containers.</summary>
[Collection(DaemonCollection.Name)]
public sealed class BadInputTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private async Task<Socket> ConnectAsync()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(D.SocketPath));
        return s;
    }

    private static async Task<string> ReadAllAsync(Socket s)
    {
        var sb = new StringBuilder();
        byte[] buf = new byte[8192];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int n;
        while ((n = await s.ReceiveAsync(buf, cts.Token)) > 0)
        {
            sb.Append(Encoding.UTF8.GetString(buf, 0, n));
        }
        return sb.ToString();
    }

    /// <summary>Reads until <paramref name="text"/> has arrived (or 20 s pass); returns what was read.</summary>
    private static async Task<string> ReadUntilAsync(Socket s, string text)
    {
        var sb = new StringBuilder();
        byte[] buf = new byte[8192];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int n;
        while (!sb.ToString().Contains(text, StringComparison.Ordinal) && (n = await s.ReceiveAsync(buf, cts.Token)) > 0)
        {
            sb.Append(Encoding.UTF8.GetString(buf, 0, n));
        }
        return sb.ToString();
    }

    private async Task<string> RequestAsync(string head, byte[]? body = null)
    {
        using var s = await ConnectAsync();
        await s.SendAsync(Encoding.ASCII.GetBytes(head));
        if (body is not null)
        {
            try
            {
                await s.SendAsync(body);
            }
            catch (SocketException)
            {
                // The daemon may answer and close before reading all of an oversized body.
            }
        }
        return await ReadAllAsync(s);
    }

    private async Task AssertDaemonServesAsync() => Assert.Equal(0, (await D.CliAsync("version")).ExitCode);

    [Fact]
    public async Task MalformedJsonBody_Is400NamingTheProblem()
    {
        string body = "{\"Image\": \"test/busybox:1\", \"Cmd\": [";
        string response = await RequestAsync(
            $"POST /v1.44/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", response, StringComparison.Ordinal);
        await AssertDaemonServesAsync();
    }

    [Fact]
    public async Task HugeBody_IsRefusedWithoutExhaustingTheDaemon()
    {
        byte[] body = new byte[6 * 1024 * 1024];
        Array.Fill(body, (byte)' ');
        string response = await RequestAsync(
            $"POST /v1.44/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n", body);
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("larger than", response, StringComparison.Ordinal);
        await AssertDaemonServesAsync();
    }

    [Fact]
    public async Task UnknownEndpoint_Is404WithAJsonMessage()
    {
        string response = await RequestAsync("GET /v1.44/no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 404", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("{\"message\":\"page not found\"}", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooNewApiVersion_Is400()
    {
        string response = await RequestAsync("GET /v9.99/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("is too new", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowClientHoldingAHalfSentHead_DoesNotBlockOthers()
    {
        using var slow = await ConnectAsync();
        await slow.SendAsync("GET /v1.44/version HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        await AssertDaemonServesAsync();
        var run = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "echo", "still-serving");
        Assert.Equal("still-serving\n", run.Stdout);
    }

    [Fact]
    public async Task ClientVanishingMidAttach_LeavesTheContainerRunningAndRemovable()
    {
        var create = await D.CliAsync("create", "--name", "vanish1", SharedDaemonFixture.Image, "sh", "-c", "while :; do echo tick; sleep 0.1; done");
        Assert.True(create.ExitCode == 0, create.ToString());
        string id = create.Stdout.Trim();
        using (var attach = await ConnectAsync())
        {
            await attach.SendAsync(Encoding.ASCII.GetBytes(
                $"POST /v1.44/containers/{id}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
            Assert.Equal(0, (await D.CliAsync("start", id)).ExitCode);
            byte[] buf = new byte[256];
            Assert.True(await attach.ReceiveAsync(buf) > 0);
        } // gone without a goodbye
        await Task.Delay(300);
        var state = await D.CliAsync("inspect", "--format", "{{.State.Status}}", "vanish1");
        Assert.Equal("running", state.Stdout.Trim());
        var logs = await D.CliAsync("logs", "--tail", "1", "vanish1");
        Assert.Equal("tick\n", logs.Stdout);
        Assert.Equal(0, (await D.CliAsync("rm", "-f", "vanish1")).ExitCode);
        Assert.NotEqual(0, (await D.CliAsync("inspect", "vanish1")).ExitCode);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), l => l.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CorruptImportArchive_IsRefusedAndNothingIsStored()
    {
        var before = await D.DockerAsync("images", "-q", "--no-trunc");
        string bad = Path.Combine(D.Root, "truncated.tar");
        string good = BusyboxImage.BuildRootfsTar(Path.Combine(D.Root, "trunc-src"));
        byte[] bytes = await File.ReadAllBytesAsync(good);
        await File.WriteAllBytesAsync(bad, bytes[..(bytes.Length / 3)]);
        var r = await D.DockerAsync("import", bad, "truncated/image:1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(r.Stderr));
        Assert.Equal(before.Stdout, (await D.DockerAsync("images", "-q", "--no-trunc")).Stdout);
        await AssertDaemonServesAsync();
    }

    [Fact]
    public async Task TtyAttach_DetachSequence_EndsTheAttachmentAndTheContainerKeepsRunning()
    {
        var create = await D.CliAsync("create", "-t", "-i", "--name", "detach1", SharedDaemonFixture.Image, "sh");
        Assert.True(create.ExitCode == 0, create.ToString());
        string id = create.Stdout.Trim();
        Assert.Equal(0, (await D.CliAsync("start", id)).ExitCode);
        using var attach = await ConnectAsync();
        await attach.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /v1.44/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"));
        await attach.SendAsync("echo typed-$((40+2))\n"u8.ToArray());
        string seen = await ReadUntilAsync(attach, "typed-42"); // the shell ran the line: now detach
        Assert.Contains("typed-42", seen, StringComparison.Ordinal);
        await attach.SendAsync(new byte[] { 0x10, 0x11 });
        await ReadAllAsync(attach); // ends because of the detach, not because the container exited
        Assert.Equal("running", (await D.CliAsync("inspect", "--format", "{{.State.Status}}", "detach1")).Stdout.Trim());
        Assert.Equal(0, (await D.CliAsync("rm", "-f", "detach1")).ExitCode);
    }
}
