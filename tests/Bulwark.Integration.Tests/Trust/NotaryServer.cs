using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Integration.Tests.Registry;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// Debian's notary-server (Notary v1) on 127.0.0.1:&lt;free port&gt;: memory storage, local signing service (it holds the
/// timestamp and server-managed snapshot keys, ed25519), TLS with a certificate this fixture makes. Stopped by its PID.
/// </summary>
public sealed class NotaryServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/notary-server";

    private readonly Process process;
    private readonly System.Text.StringBuilder log = new();

    private NotaryServer(string root, int port, Process process)
    {
        Root = root;
        Port = port;
        this.process = process;
    }

    public string Root { get; }

    public int Port { get; }

    public string Url => "https://127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The server's self-signed certificate (PEM): the CA a client must trust.</summary>
    public string CaFile => Path.Combine(Root, "server.crt");

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public static async Task<NotaryServer> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: apt-get install notary (test.sh does)");
        }

        string root = Path.Combine(Path.GetTempPath(), "bwnotary-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        int port = LocalRegistry.FreePort();
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var req = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
            using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
            await File.WriteAllTextAsync(Path.Combine(root, "server.crt"), cert.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(root, "server.key"), key.ExportPkcs8PrivateKeyPem());
        }

        string config = Path.Combine(root, "server.json");
        await File.WriteAllTextAsync(config, $$$"""
            {"server": {"http_addr": "127.0.0.1:{{{port}}}", "tls_cert_file": "{{{root}}}/server.crt", "tls_key_file": "{{{root}}}/server.key"},
             "trust_service": {"type": "local", "hostname": "", "port": "", "key_algorithm": "ecdsa"},
             "logging": {"level": "warn"},
             "storage": {"backend": "memory"}}
            """);
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-config");
        psi.ArgumentList.Add(config);
        var p = Process.Start(psi)!;
        var server = new NotaryServer(root, port, p);
        p.OutputDataReceived += (_, e) => server.Append(e.Data);
        p.ErrorDataReceived += (_, e) => server.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();

        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(server.CaFile);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, c, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
                return c is not null && chain.Build(c);
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException("notary-server exited during start:\n" + server.Log);
            }

            try
            {
                using var r = await http.GetAsync(new Uri(server.Url + "/_notary_server/health"));
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        await server.DisposeAsync();
        throw new TimeoutException("notary-server did not become healthy:\n" + server.Log);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }
}
