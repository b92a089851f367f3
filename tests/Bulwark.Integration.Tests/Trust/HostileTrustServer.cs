using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bulwark.Engine.Tests.Trust.Tuf;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>How the hostile server answers one metadata file.</summary>
public enum HostileAnswer
{
    /// <summary>The repository's current bytes (or 404).</summary>
    Honest,

    /// <summary>200 with no Content-Length and a body that never ends (endless data).</summary>
    Endless,

    /// <summary>200 whose Content-Length declares far more than any signed length.</summary>
    Oversized,

    /// <summary>200, then one byte every 100 ms, never ending (slow drip: only the client's time limit stops it).</summary>
    SlowDrip,
}

/// <summary>
/// A malicious Notary v1 server on 127.0.0.1 (TLS with a certificate it makes; its PEM is the CA to configure): it serves a
/// <see cref="TestTrustRepository"/> (whose keys, versions, expiry and tampering the test sets) on notary-server's URL layout
/// (<c>/v2/&lt;gun&gt;/_trust/tuf/&lt;file&gt;</c>), and per file can answer endlessly, oversized or drip-fed instead.
/// One connection per request (Connection: close). Stopped and its files removed on dispose.
/// </summary>
public sealed class HostileTrustServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly X509Certificate2 certificate;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly string root;
    private int requests;

    private HostileTrustServer(TestTrustRepository repository, string root, X509Certificate2 certificate)
    {
        Repository = repository;
        this.root = root;
        this.certificate = certificate;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        loop = Task.Run(AcceptLoopAsync);
    }

    public TestTrustRepository Repository { get; }

    public int Port { get; }

    public string Url => "https://127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string CaFile => Path.Combine(root, "hostile-ca.crt");

    /// <summary>File name (e.g. "timestamp.json") → how to answer it; files not listed are answered honestly.</summary>
    public Dictionary<string, HostileAnswer> Answers { get; } = new(StringComparer.Ordinal);

    /// <summary>Metadata requests served so far (to prove the daemon asked this server).</summary>
    public int Requests => Volatile.Read(ref requests);

    public static HostileTrustServer Start(TestTrustRepository repository)
    {
        string root = Path.Combine(Path.GetTempPath(), "bwhostile-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var made = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(Path.Combine(root, "hostile-ca.crt"), made.ExportCertificatePem() + "\n");
        var cert = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
        return new HostileTrustServer(repository, root, cert);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        certificate.Dispose();
        stop.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(120));
                var ct = timeout.Token;
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
                string path = await ReadRequestPathAsync(tls, ct);
                await AnswerAsync(tls, path, ct);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException
                or System.Security.Authentication.AuthenticationException)
            {
                // the client gave up (limit reached, timeout) or the server is stopping
            }
        }
    }

    private async Task AnswerAsync(SslStream tls, string path, CancellationToken ct)
    {
        const string Prefix = "/v2/";
        int tuf = path.IndexOf("/_trust/tuf/", StringComparison.Ordinal);
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || tuf < 0)
        {
            await WriteAsync(tls, path == Prefix ? 200 : 404, "{}"u8.ToArray(), ct);
            return;
        }

        Interlocked.Increment(ref requests);
        string gun = path[Prefix.Length..tuf];
        string file = path[(tuf + "/_trust/tuf/".Length)..];
        byte[]? honest = await Repository.GetAsync(gun, file, long.MaxValue, ct);
        var answer = Answers.GetValueOrDefault(file, HostileAnswer.Honest);
        if (honest is null && answer == HostileAnswer.Honest)
        {
            await WriteAsync(tls, 404, "{}"u8.ToArray(), ct);
            return;
        }

        switch (answer)
        {
            case HostileAnswer.Honest:
                await WriteAsync(tls, 200, honest!, ct);
                break;
            case HostileAnswer.Endless:
                await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"), ct);
                byte[] chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
                for (int i = 0; i < 4096 && !ct.IsCancellationRequested; i++) // at most 256 MiB, far beyond any limit
                {
                    await tls.WriteAsync(chunk, ct);
                }

                break;
            case HostileAnswer.Oversized:
                await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\nConnection: close\r\n\r\n"), ct);
                await tls.WriteAsync(honest ?? "{}"u8.ToArray(), ct);
                await tls.FlushAsync(ct);
                await Task.Delay(Timeout.Infinite, ct);
                break;
            case HostileAnswer.SlowDrip:
                await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"), ct);
                while (!ct.IsCancellationRequested)
                {
                    await tls.WriteAsync(" "u8.ToArray(), ct);
                    await tls.FlushAsync(ct);
                    await Task.Delay(100, ct);
                }

                break;
        }
    }

    private static async Task WriteAsync(SslStream tls, int status, byte[] body, CancellationToken ct)
    {
        string head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Not Found")}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        await tls.WriteAsync(body, ct);
        await tls.FlushAsync(ct);
    }

    private static async Task<string> ReadRequestPathAsync(SslStream tls, CancellationToken ct)
    {
        var seen = new List<byte>();
        byte[] one = new byte[1];
        while (seen.Count < 16 * 1024)
        {
            if (await tls.ReadAsync(one, ct) == 0)
            {
                break;
            }

            seen.Add(one[0]);
            if (seen.Count >= 4 && seen[^4] == '\r' && seen[^3] == '\n' && seen[^2] == '\r' && seen[^1] == '\n')
            {
                break;
            }
        }

        string line = Encoding.ASCII.GetString(seen.ToArray()).Split("\r\n")[0];
        string[] parts = line.Split(' ');
        return parts.Length >= 2 ? Uri.UnescapeDataString(parts[1].Split('?')[0]) : "/";
    }
}
