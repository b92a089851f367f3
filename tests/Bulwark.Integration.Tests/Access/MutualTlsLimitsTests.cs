using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Access;

/// <summary>A bulwarkd serving mutual TLS on 127.0.0.1 with the given api-limits, and a client certificate for it.</summary>
internal sealed class TlsDaemon : IAsyncDisposable
{
    private TlsDaemon(DaemonInstance daemon, int port)
    {
        Daemon = daemon;
        Port = port;
    }

    public DaemonInstance Daemon { get; }

    public int Port { get; }

    private string Tls => Path.Combine(Daemon.Root, "tls");

    public static async Task<TlsDaemon> StartAsync(string limitsJson)
    {
        int port;
        using (var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)l.LocalEndPoint!).Port;
        }

        string root = Path.Combine("/tmp", "bwtls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        DaemonInstance? daemon = null;
        try
        {
            foreach (string[] args in new[]
            {
                new[] { "tls", "init", "--dir", Path.Combine(root, "ca") },
                ["tls", "issue-client", "alice", "--dir", Path.Combine(root, "ca"), "--out", Path.Combine(root, "alice")],
            })
            {
                var r = await ProcessRunner.RunAsync(RepoPaths.Cli, args);
                Assert.True(r.ExitCode == 0, r.ToString());
            }

            daemon = await DaemonInstance.StartAsync($$"""{ "api-limits": {{limitsJson}} }""",
            [
                "--tlsverify", "--tlscacert", Path.Combine(root, "ca", "ca.pem"), "--tlscert", Path.Combine(root, "ca", "server-cert.pem"),
                "--tlskey", Path.Combine(root, "ca", "server-key.pem"), "-H", $"tcp://127.0.0.1:{port}",
            ]);
        }
        finally
        {
            if (daemon is not null)
            {
                Directory.Move(root, Path.Combine(daemon.Root, "tls"));
            }
            else
            {
                Directory.Delete(root, recursive: true);
            }
        }

        return new TlsDaemon(daemon, port);
    }

    public async Task<TcpClient> ConnectTcpAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        return tcp;
    }

    /// <summary>A completed mutual-TLS handshake as alice (throws when the daemon refuses it).</summary>
    public async Task<(TcpClient Tcp, SslStream Tls)> HandshakeAsync()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Tls, "ca", "ca.pem"));
        var cert = X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(
            Path.Combine(Tls, "alice", "cert.pem"), Path.Combine(Tls, "alice", "key.pem")).Export(X509ContentType.Pkcs12), null);
        var tcp = await ConnectTcpAsync();
        var tls = new SslStream(tcp.GetStream());
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = [cert],
                RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.Issuer == ca.Subject,
            }, cts.Token);
            return (tcp, tls);
        }
        catch
        {
            await tls.DisposeAsync();
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Everything the stream yields until the daemon closes it (a reset counts as closed); bounded by a deadline.</summary>
    public static async Task<string> ReadUntilClosedAsync(Stream stream)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sb = new StringBuilder();
        byte[] buf = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buf, cts.Token)) > 0)
            {
                sb.Append(Encoding.ASCII.GetString(buf, 0, n));
            }
        }
        catch (IOException)
        {
        }

        return sb.ToString();
    }

    /// <summary>One ping on a fresh TLS connection: the answer, or "refused: …".</summary>
    public async Task<string> PingAsync()
    {
        try
        {
            var (tcp, tls) = await HandshakeAsync();
            using (tcp)
            await using (tls)
            {
                await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
                return await ReadUntilClosedAsync(tls);
            }
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            return "refused: " + ex.Message;
        }
    }

    public ValueTask DisposeAsync() => Daemon.DisposeAsync();
}

/// <summary>The head timeout (TLS handshake included), the idle timeout and the head-size cap, over mutual TLS.</summary>
public sealed class MutualTlsTimeoutTests : IAsyncLifetime
{
    private TlsDaemon _d = null!;

    public async Task InitializeAsync()
    {
        // 3 s: long enough for a handshake on a loaded machine, short enough to wait for.
        _d = await TlsDaemon.StartAsync("""{ "head-timeout": "3s", "idle-timeout": "1s", "max-head-bytes": 2048 }""");
        Assert.StartsWith("HTTP/1.1 200 OK", await _d.PingAsync(), StringComparison.Ordinal); // the first handshake loads the TLS library
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task HalfSentTlsHandshake_IsClosedAfterTheHeadTimeout_WhileOthersAreServed()
    {
        using var stalled = await _d.ConnectTcpAsync();
        // The first bytes of a TLS ClientHello record (handshake, TLS 1.0 record version, 512 bytes announced), then nothing.
        await stalled.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00 });
        Assert.StartsWith("HTTP/1.1 200 OK", await _d.PingAsync(), StringComparison.Ordinal);
        Assert.Equal("", await TlsDaemon.ReadUntilClosedAsync(stalled.GetStream()));
    }

    [Fact]
    public async Task HalfSentHeadAfterTheHandshake_IsClosedWithoutAnAnswer()
    {
        var (tcp, tls) = await _d.HandshakeAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\n"));
            Assert.Equal("", await TlsDaemon.ReadUntilClosedAsync(tls));
        }
    }

    [Fact]
    public async Task IdleKeepAliveOverTls_IsClosedAfterTheIdleTimeout_AfterItsAnswer()
    {
        var (tcp, tls) = await _d.HandshakeAsync();
        using (tcp)
        await using (tls)
        {
            await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
            string all = await TlsDaemon.ReadUntilClosedAsync(tls);
            Assert.StartsWith("HTTP/1.1 200 OK", all, StringComparison.Ordinal);
            Assert.EndsWith("OK", all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OversizedHeadOverTls_Gets431AndIsClosed()
    {
        var (tcp, tls) = await _d.HandshakeAsync();
        using (tcp)
        await using (tls)
        {
            var head = new StringBuilder("GET /_ping HTTP/1.1\r\n");
            for (int i = 0; i < 100; i++)
            {
                head.Append("X-Filler-").Append(i).Append(": ").Append('a', 40).Append("\r\n");
            }

            await tls.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
            string answer = await TlsDaemon.ReadUntilClosedAsync(tls);
            Assert.StartsWith("HTTP/1.1 431 ", answer, StringComparison.Ordinal);
            Assert.Contains("larger than 2048 bytes", answer, StringComparison.Ordinal);
        }
    }
}

/// <summary>The open-connection cap over mutual TLS: beyond it a client gets no handshake; once one closes, others are served.</summary>
public sealed class MutualTlsConnectionCapTests : IAsyncLifetime
{
    private const int Cap = 3;
    private TlsDaemon _d = null!;

    public async Task InitializeAsync() => _d = await TlsDaemon.StartAsync($$"""{ "max-connections": {{Cap}} }""");

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task BeyondTheCap_TlsClientGetsNoHandshake_AndIsServedOnceHeldConnectionsClose()
    {
        var held = new List<(TcpClient Tcp, SslStream Tls)>();
        try
        {
            for (int i = 0; i < Cap; i++)
            {
                var c = await _d.HandshakeAsync();
                await c.Tls.WriteAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
                Assert.True(await c.Tls.ReadAsync(new byte[1024]) > 0);
                held.Add(c);
            }

            Assert.StartsWith("refused: ", await _d.PingAsync(), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var (tcp, tls) in held)
            {
                await tls.DisposeAsync();
                tcp.Dispose();
            }
        }

        string answer = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && !answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            answer = await _d.PingAsync();
            if (!answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            {
                await Task.Delay(50);
            }
        }

        Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
    }
}
