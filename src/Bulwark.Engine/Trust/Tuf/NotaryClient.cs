using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Tuf;

/// <summary>
/// Reads metadata from a Notary v1 server (<c>GET /v2/&lt;gun&gt;/_trust/tuf/&lt;file&gt;</c>) over HTTPS, with the certificate checked
/// against the configured CA (or the system store) even for loopback, and every body cut off at the length its parent signed.
/// </summary>
public sealed class NotaryClient : ITrustMetadataSource, IDisposable
{
    private readonly HttpClient http;
    private readonly X509Certificate2Collection? anchors;
    private readonly TimeSpan timeout;

    public NotaryClient(TrustServer server, TimeSpan timeout)
    {
        Server = server;
        this.timeout = timeout;
        if (server.CaFile is { } ca)
        {
            anchors = [];
            anchors.ImportFromPemFile(ca);
        }

        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (anchors is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateWithAnchors };
        }

        http = new HttpClient(handler) { Timeout = timeout };
    }

    public TrustServer Server { get; }

    public Uri Url => Server.Url;

    /// <summary>
    /// The file's bytes, or null when the server answers 404. Throws <see cref="TufException"/> (Unreachable) on transport errors
    /// and when the whole answer, body included, takes longer than the time limit (a server dripping bytes is abandoned).
    /// </summary>
    public async Task<byte[]?> GetAsync(string gun, string file, long maxLength, CancellationToken ct)
    {
        var uri = new Uri(Server.Url, $"v2/{gun}/_trust/tuf/{file}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout); // HttpClient.Timeout stops at the headers (ResponseHeadersRead): this covers the body too
        var token = deadline.Token;
        try
        {
            using var resp = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            if (resp.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!resp.IsSuccessStatusCode)
            {
                throw new TufException($"trust server {Server.Url} answered {(int)resp.StatusCode} for {file}",
                    (int)resp.StatusCode >= 500 ? TrustFailure.Unreachable : TrustFailure.Invalid);
            }

            if (resp.Content.Headers.ContentLength is long declared && declared > maxLength)
            {
                throw new TufException($"{file}: {declared} bytes exceed the limit of {maxLength}", TrustFailure.DigestMismatch);
            }

            var stream = await resp.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                byte[] chunk = new byte[16 * 1024];
                int n;
                while ((n = await stream.ReadAsync(chunk, token).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + n > maxLength)
                    {
                        throw new TufException($"{file}: more than the limit of {maxLength} bytes", TrustFailure.DigestMismatch);
                    }

                    buffer.Write(chunk, 0, n);
                }

                return buffer.ToArray();
            }
        }
        catch (HttpRequestException ex)
        {
            throw new TufException($"trust server {Server.Url} unreachable: {ex.Message}", TrustFailure.Unreachable);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TufException($"trust server {Server.Url} did not answer in time", TrustFailure.Unreachable);
        }
    }

    public void Dispose()
    {
        http.Dispose();
        if (anchors is not null)
        {
            foreach (var c in anchors)
            {
                c.Dispose();
            }
        }
    }

    private bool ValidateWithAnchors(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(anchors!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
