using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Bulwark.Tuf;

namespace Bulwark.Cli.Trust;

/// <summary>
/// The trust server for a repository, chosen as the docker CLI chooses it: <c>--server</c>, else DOCKER_CONTENT_TRUST_SERVER,
/// else <c>https://&lt;registry host&gt;</c>; its CA from <c>--tls-ca</c>, else <c>$DOCKER_CONFIG/tls/&lt;host:port&gt;/*.crt</c>, else the
/// system store. Unlike the docker CLI, the certificate is always verified, also for a loopback or insecure registry.
/// </summary>
internal sealed record TrustServerEndpoint(Uri Url, IReadOnlyList<string> CaFiles)
{
    public const string ServerVariable = "DOCKER_CONTENT_TRUST_SERVER";

    public static TrustServerEndpoint Resolve(string registryHost, string? serverFlag, string? caFlag, Func<string, string?> env)
    {
        string url = serverFlag is { Length: > 0 } s ? s
            : env(ServerVariable) is { Length: > 0 } e ? e
            : registryHost == "docker.io" ? "https://notary.docker.io" : "https://" + registryHost;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new CliException(1, $"valid https URL required for trust server, got \"{url}\"");
        }

        if (caFlag is { Length: > 0 })
        {
            return File.Exists(caFlag) ? new(uri, [caFlag]) : throw new CliException(1, $"trust server CA file not found: \"{caFlag}\"");
        }

        string config = env("DOCKER_CONFIG") is { Length: > 0 } c ? c : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        string dir = Path.Combine(config, "tls", uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new(uri, Directory.Exists(dir) ? Directory.GetFiles(dir, "*.crt").Order(StringComparer.Ordinal).ToList() : []);
    }
}

/// <summary>
/// Notary v1's HTTP API as a publisher uses it: <c>GET /v2/&lt;gun&gt;/_trust/tuf/&lt;role&gt;.json</c>, <c>GET …/{snapshot|timestamp}.key</c>
/// and the atomic update <c>POST /v2/&lt;gun&gt;/_trust/tuf/</c> (multipart, one part named <c>files</c> per role, file name = role).
/// </summary>
internal sealed class TrustServerClient : IDisposable
{
    private const long MaxMetadata = 100L * 1024 * 1024;

    private readonly HttpClient http;
    private readonly X509Certificate2Collection anchors = [];

    public TrustServerClient(TrustServerEndpoint endpoint)
    {
        Endpoint = endpoint;
        foreach (string ca in endpoint.CaFiles)
        {
            anchors.ImportFromPemFile(ca);
        }

        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(30) };
        if (anchors.Count > 0)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateWithAnchors };
        }

        http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120), MaxResponseContentBufferSize = MaxMetadata };
    }

    public TrustServerEndpoint Endpoint { get; }

    /// <summary>The current metadata of <paramref name="role"/>, or null when the server has none (404).</summary>
    public async Task<byte[]?> GetRoleAsync(string gun, string role, CancellationToken ct)
    {
        using var resp = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Uri(gun, role + ".json")), ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(resp, role + ".json", ct).ConfigureAwait(false);
        if (resp.Content.Headers.ContentLength > MaxMetadata)
        {
            throw new CliException(1, $"trust server {Endpoint.Url}: {role}.json is larger than {MaxMetadata} bytes");
        }

        return await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The public key the server holds for <paramref name="role"/> (snapshot or timestamp); the server creates it on first use.</summary>
    public async Task<TufKey> GetServerKeyAsync(string gun, string role, CancellationToken ct)
    {
        using var resp = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Uri(gun, role + ".key")), ct).ConfigureAwait(false);
        await EnsureSuccessAsync(resp, role + ".key", ct).ConfigureAwait(false);
        byte[] body = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(body);
            string? type = SignedMetadata.Str(doc.RootElement, "keytype");
            string? pub = doc.RootElement.TryGetProperty("keyval", out var kv) ? SignedMetadata.Str(kv, "public") : null;
            return type is not null && pub is not null
                ? new TufKey(type, pub)
                : throw new CliException(1, $"trust server {Endpoint.Url}: {role}.key is not a key object");
        }
        catch (JsonException ex)
        {
            throw new CliException(1, $"trust server {Endpoint.Url}: {role}.key is not JSON: {ex.Message}");
        }
    }

    /// <summary>One atomic update: every file in <paramref name="files"/> (role → bytes) or none; the server then signs a new timestamp.</summary>
    public async Task PublishAsync(string gun, IReadOnlyDictionary<string, byte[]> files, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (role, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"files\"", FileName = "\"" + role + "\"" };
            form.Add(part);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, Uri(gun, "")) { Content = form };
        using var resp = await SendAsync(request, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(resp, "publish of " + string.Join(", ", files.Keys), ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        http.Dispose();
        foreach (var c in anchors)
        {
            c.Dispose();
        }
    }

    private Uri Uri(string gun, string file) => new(Endpoint.Url, $"v2/{gun}/_trust/tuf/{file}");

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(1, $"trust server {Endpoint.Url} unreachable: {ex.Message}");
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage resp, string what, CancellationToken ct)
    {
        if (!resp.IsSuccessStatusCode)
        {
            string body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new CliException(1, $"trust server {Endpoint.Url} refused the {what}: {(int)resp.StatusCode} {body.Trim()}");
        }
    }

    private bool ValidateWithAnchors(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(anchors);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
