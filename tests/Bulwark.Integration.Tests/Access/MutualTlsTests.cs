using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Access;

/// <summary>
/// bulwarkd on tcp://127.0.0.1 with Docker's TLS flags and certificates from `bulwark tls`: the docker CLI with
/// DOCKER_TLS_VERIFY works; no client certificate, another CA's certificate, an expired one and plain HTTP get nothing.
/// </summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private DaemonInstance _daemon = null!;
    private int _port;
    private string Tls => Path.Combine(_daemon.Root, "tls");

    public async Task InitializeAsync()
    {
        _port = FreePort();
        // The certificates are made with our CLI before the daemon exists: its root is created here.
        string root = Path.Combine("/tmp", "bwtls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            await CliOkAsync("tls", "init", "--dir", Path.Combine(root, "ca"));
            await CliOkAsync("tls", "issue-client", "alice", "--dir", Path.Combine(root, "ca"), "--out", Path.Combine(root, "alice"));
            await CliOkAsync("tls", "init", "--dir", Path.Combine(root, "other"));
            await CliOkAsync("tls", "issue-client", "mallory", "--dir", Path.Combine(root, "other"), "--out", Path.Combine(root, "mallory"));
            _daemon = await DaemonInstance.StartAsync("""{ "api-limits": { "head-timeout": "1s" } }""",
            [
                "--tlsverify", "--tlscacert", Path.Combine(root, "ca", "ca.pem"), "--tlscert", Path.Combine(root, "ca", "server-cert.pem"),
                "--tlskey", Path.Combine(root, "ca", "server-key.pem"), "-H", $"tcp://127.0.0.1:{_port}",
            ]);
        }
        finally
        {
            if (_daemon is not null)
            {
                Directory.Move(root, Tls);
            }
            else
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static async Task CliOkAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync(RepoPaths.Cli, args);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    private static int FreePort()
    {
        using var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)l.LocalEndPoint!).Port;
    }

    private Task<CommandResult> DockerOverTlsAsync(string certDir, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = $"tcp://127.0.0.1:{_port}",
            ["DOCKER_TLS_VERIFY"] = "1",
            ["DOCKER_CERT_PATH"] = certDir,
            ["DOCKER_CONFIG"] = Path.Combine(_daemon.Root, "docker-config"),
        });

    /// <summary>A TLS client that trusts our CA and presents <paramref name="clientCert"/> (or none); returns what a ping got back.</summary>
    private async Task<string> PingOverTlsAsync(X509Certificate2? clientCert)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(Tls, "ca", "ca.pem"));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _port);
        await using var tls = new SslStream(tcp.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = clientCert is null ? null : [clientCert],
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == ca.Subject,
            });
            await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var sb = new StringBuilder();
            byte[] buf = new byte[4096];
            int n;
            while ((n = await tls.ReadAsync(buf, cts.Token)) > 0)
            {
                sb.Append(Encoding.ASCII.GetString(buf, 0, n));
            }
            return sb.ToString();
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            return "refused: " + ex.Message;
        }
    }

    private X509Certificate2 ClientCert(string dir) =>
        X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(Path.Combine(Tls, dir, "cert.pem"), Path.Combine(Tls, dir, "key.pem")).Export(X509ContentType.Pkcs12), null);

    [Fact]
    public async Task DockerCli_WithDockerTlsVerify_Works_AndIsIdentifiedByItsCertificate()
    {
        var version = await DockerOverTlsAsync(Path.Combine(Tls, "alice"), "version", "--format", "{{.Server.Version}}");
        Assert.True(version.ExitCode == 0, version.ToString());
        var ps = await DockerOverTlsAsync(Path.Combine(Tls, "alice"), "ps", "-a");
        Assert.True(ps.ExitCode == 0, ps.ToString());
        var create = await DockerOverTlsAsync(Path.Combine(Tls, "alice"), "volume", "create", "over-tls");
        Assert.True(create.ExitCode == 0, create.ToString());
        var audit = await _daemon.CliAsync("audit", "ls", "--user", "alice", "--format", "json");
        Assert.Contains("\"identity\":\"cert:alice\"", audit.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"transport\":\"tls\"", audit.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"action\":\"volume.create\"", audit.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidClientCertificate_GetsAnAnswer()
    {
        Assert.StartsWith("HTTP/1.1 200 OK", await PingOverTlsAsync(ClientCert("alice")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoClientCertificate_IsRefused()
    {
        Assert.DoesNotContain("HTTP/1.1", await PingOverTlsAsync(null), StringComparison.Ordinal);
        var docker = await DockerOverTlsAsync(Path.Combine(Tls, "ca"), "ps"); // ca dir: ca.pem only, no cert.pem/key.pem
        Assert.NotEqual(0, docker.ExitCode);
    }

    [Fact]
    public async Task CertificateFromAnotherCa_IsRefused()
    {
        Assert.DoesNotContain("HTTP/1.1", await PingOverTlsAsync(ClientCert("mallory")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredCertificate_IsRefused()
    {
        var ca = X509Certificate2.CreateFromPemFile(Path.Combine(Tls, "ca", "ca.pem"), Path.Combine(Tls, "ca", "ca-key.pem"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=alice", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        // Valid for one minute right after the CA's own start (the CA is minutes old): expired by now.
        var start = new DateTimeOffset(ca.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        using var signed = req.Create(ca, start, start.AddMinutes(1), RandomNumberGenerator.GetBytes(16));
        using var expired = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
        Assert.DoesNotContain("HTTP/1.1", await PingOverTlsAsync(expired), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttpOnTheTlsPort_GetsNoHttpAnswer()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var got = new MemoryStream();
        try
        {
            await stream.CopyToAsync(got, cts.Token);
        }
        catch (IOException)
        {
        }
        Assert.DoesNotContain("HTTP/", Encoding.ASCII.GetString(got.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentTcpClient_IsClosedAfterTheHeadTimeout_WhileOthersAreServed()
    {
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, _port);
        Assert.StartsWith("HTTP/1.1 200 OK", await PingOverTlsAsync(ClientCert("alice")), StringComparison.Ordinal);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        byte[] buf = new byte[64];
        int n;
        try
        {
            n = await silent.GetStream().ReadAsync(buf, cts.Token);
        }
        catch (IOException)
        {
            n = 0;
        }
        Assert.Equal(0, n);
    }

    [Fact]
    public async Task PlainTcpHost_IsRefusedAtStart_WithNonZeroExit()
    {
        var r = await ProcessRunner.RunAsync(RepoPaths.Daemon, ["--data-root", Path.Combine(_daemon.Root, "d2"), "-H", $"tcp://127.0.0.1:{FreePort()}"]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("without mutual TLS", r.Stdout + r.Stderr, StringComparison.Ordinal);
    }
}
