using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Registry;

/// <summary>
/// A minimal client of the OCI distribution API (Registry HTTP API v2) for one registry and one operation:
/// the /v2/ probe, manifests, blobs and monolithic uploads, with anonymous, Basic and Bearer-token auth.
/// It never verifies content itself: callers hash everything through the content store.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    public const string ManifestAccept =
        MediaTypes.OciIndex + ", " + MediaTypes.OciManifest + ", " + MediaTypes.DockerManifestList + ", " + MediaTypes.DockerManifest;

    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private const int MaxErrorBytes = 64 * 1024;

    private readonly HttpClient http;
    private readonly RegistryCredentials? credentials;
    private readonly string actions;
    private string? authorization;

    public RegistryClient(string domain, RegistryOptions options, RegistryCredentials? credentials, bool push)
    {
        Domain = domain;
        BaseUri = RegistryHosts.BaseUri(domain, options.InsecureRegistries);
        this.credentials = credentials is { IsEmpty: false } ? credentials : null;
        actions = push ? "pull,push" : "pull";
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        http = new HttpClient(handler) { Timeout = options.Timeout };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("bulwark", "1.0"));
    }

    public string Domain { get; }

    public Uri BaseUri { get; }

    /// <summary>GET /v2/: checks the registry speaks the API and learns its auth challenge.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        // No token is fetched here: the challenge is answered on the first repository request, with that repository's scope.
        using var resp = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "v2/")), null, ct, authenticate: false)
            .ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.Unauthorized)
        {
            // Anonymous access may still be allowed per repository (token with pull scope): decided on the next request.
            return;
        }

        if (!resp.IsSuccessStatusCode)
        {
            throw await ErrorAsync(resp, $"GET {BaseUri}v2/", ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>docker login</c>: GET /v2/ with the challenge answered from the credentials (Basic, or a Bearer token without a
    /// repository scope). Null when the registry accepts them; else "login attempt to … failed with status: 401 …".
    /// </summary>
    public async Task<string?> LoginAsync(CancellationToken ct)
    {
        using var resp = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, "v2/")), null, ct).ConfigureAwait(false);
        if (resp.IsSuccessStatusCode)
        {
            return null;
        }

        if (resp.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            string reason = (await ErrorAsync(resp, "", ct).ConfigureAwait(false)).Message.TrimStart(':', ' ');
            return $"login attempt to {BaseUri}v2/ failed with status: {(int)resp.StatusCode} {resp.ReasonPhrase} ({reason})";
        }

        throw await ErrorAsync(resp, $"GET {BaseUri}v2/", ct).ConfigureAwait(false);
    }

    /// <summary>Fetches a manifest or index by tag or digest; the digest returned is computed from the bytes.</summary>
    public async Task<(byte[] Bytes, string MediaType, Digest Digest)> GetManifestAsync(string path, string reference, string display,
        CancellationToken ct)
    {
        var uri = new Uri(BaseUri, $"v2/{path}/manifests/{reference}");
        using var resp = await SendAsync(() =>
        {
            var req = new HttpRequestMessage(HttpMethod.Get, uri);
            req.Headers.TryAddWithoutValidation("Accept", ManifestAccept);
            return req;
        }, path, ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            var e = await ErrorAsync(resp, "", ct).ConfigureAwait(false);
            throw EngineException.NotFound($"manifest for {display} not found{e.Message}");
        }

        if (!resp.IsSuccessStatusCode)
        {
            throw await ErrorAsync(resp, $"manifest for {display}", ct).ConfigureAwait(false);
        }

        if (resp.Content.Headers.ContentLength is > MaxManifestBytes)
        {
            throw EngineException.Invalid($"manifest for {display}: larger than {MaxManifestBytes} bytes");
        }

        var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            using var ms = new MemoryStream();
            var limited = new ProgressReadStream(body, MaxManifestBytes, $"manifest for {display}", null);
            await limited.CopyToAsync(ms, ct).ConfigureAwait(false);
            byte[] bytes = ms.ToArray();
            var digest = Digest.Compute(bytes);
            if (resp.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { Length: > 0 } claimed
                && claimed != digest.Value)
            {
                throw EngineException.Invalid(
                    $"manifest for {display}: digest mismatch (registry says {claimed}, content is {digest}); nothing was stored");
            }

            string mediaType = resp.Content.Headers.ContentType?.MediaType ?? string.Empty;
            return (bytes, mediaType, digest);
        }
    }

    /// <summary>
    /// The OCI 1.1 referrers API, <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;?artifactType=…</c>: the index of manifests whose
    /// subject is <paramref name="digest"/>, or null when the registry has no such API (404, as distribution 2.8 answers; 400, 405).
    /// </summary>
    public async Task<byte[]?> GetReferrersAsync(string path, string digest, string artifactType, CancellationToken ct)
    {
        var uri = new Uri(BaseUri, $"v2/{path}/referrers/{digest}?artifactType={Uri.EscapeDataString(artifactType)}");
        using var resp = await SendAsync(() =>
        {
            var req = new HttpRequestMessage(HttpMethod.Get, uri);
            req.Headers.TryAddWithoutValidation("Accept", MediaTypes.OciIndex);
            return req;
        }, path, ct).ConfigureAwait(false);
        if (resp.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed)
        {
            return null;
        }

        if (!resp.IsSuccessStatusCode)
        {
            throw await ErrorAsync(resp, $"referrers of {digest}", ct).ConfigureAwait(false);
        }

        var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            using var ms = new MemoryStream();
            var limited = new ProgressReadStream(body, MaxManifestBytes, $"referrers of {digest}", null);
            await limited.CopyToAsync(ms, ct).ConfigureAwait(false);
            return ms.ToArray();
        }
    }

    /// <summary>Opens a blob for reading (redirects followed; credentials are not forwarded to other hosts).</summary>
    public async Task<Stream> OpenBlobAsync(string path, Digest digest, CancellationToken ct)
    {
        var uri = new Uri(BaseUri, $"v2/{path}/blobs/{digest}");
        var resp = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), path, ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
        {
            using (resp)
            {
                throw await ErrorAsync(resp, $"blob {digest}", ct).ConfigureAwait(false);
            }
        }

        return new ResponseStream(resp, await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
    }

    public async Task<bool> BlobExistsAsync(string path, Digest digest, CancellationToken ct)
    {
        var uri = new Uri(BaseUri, $"v2/{path}/blobs/{digest}");
        using var resp = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, uri), path, ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (!resp.IsSuccessStatusCode)
        {
            throw await ErrorAsync(resp, $"HEAD blob {digest}", ct).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>POST /v2/&lt;name&gt;/blobs/uploads/ then one PUT ?digest= with the whole blob (monolithic upload).</summary>
    public async Task UploadBlobAsync(string path, Digest digest, long size, Func<Stream> open, CancellationToken ct)
    {
        var start = new Uri(BaseUri, $"v2/{path}/blobs/uploads/");
        Uri location;
        using (var resp = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, start) { Content = new ByteArrayContent([]) }, path, ct)
            .ConfigureAwait(false))
        {
            if (resp.StatusCode != HttpStatusCode.Accepted)
            {
                throw await ErrorAsync(resp, $"starting the upload of blob {digest}", ct).ConfigureAwait(false);
            }

            location = UploadLocation(resp, start, digest);
        }

        string sep = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var put = new Uri(location + sep + "digest=" + Uri.EscapeDataString(digest.Value));
        using var done = await SendAsync(() =>
        {
            var content = new StreamContent(open(), 1 << 16);
            content.Headers.ContentLength = size;
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return new HttpRequestMessage(HttpMethod.Put, put) { Content = content };
        }, path, ct).ConfigureAwait(false);
        if (done.StatusCode != HttpStatusCode.Created)
        {
            throw await ErrorAsync(done, $"uploading blob {digest}", ct).ConfigureAwait(false);
        }
    }

    /// <summary>PUT /v2/&lt;name&gt;/manifests/&lt;tag&gt;.</summary>
    public async Task PutManifestAsync(string path, string tag, byte[] bytes, string mediaType, Digest digest, CancellationToken ct)
    {
        var uri = new Uri(BaseUri, $"v2/{path}/manifests/{tag}");
        using var resp = await SendAsync(() =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, uri) { Content = content };
        }, path, ct).ConfigureAwait(false);
        if (resp.StatusCode != HttpStatusCode.Created)
        {
            throw await ErrorAsync(resp, $"pushing the manifest of {Domain}/{path}:{tag}", ct).ConfigureAwait(false);
        }

        if (resp.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { Length: > 0 } claimed
            && claimed != digest.Value)
        {
            throw EngineException.Invalid($"pushing {Domain}/{path}:{tag}: the registry stored digest {claimed}, expected {digest}");
        }
    }

    public void Dispose() => http.Dispose();

    private Uri UploadLocation(HttpResponseMessage resp, Uri start, Digest digest)
    {
        var raw = resp.Headers.Location ?? throw EngineException.Invalid($"starting the upload of blob {digest}: the registry sent no Location");
        var location = raw.IsAbsoluteUri ? raw : new Uri(start, raw);
        if (!string.Equals(location.Authority, BaseUri.Authority, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(location.Scheme, BaseUri.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            // Credentials and blobs go only to the registry that was named.
            throw EngineException.Invalid($"uploading blob {digest}: the registry redirected the upload to another host ({location.Authority})");
        }

        return location;
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, string? path, CancellationToken ct,
        bool authenticate = true)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var req = make();
            if (authorization is not null)
            {
                req.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            HttpResponseMessage resp;
            try
            {
                resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new EngineException(ErrorKind.Unavailable, $"{req.Method} \"{req.RequestUri}\": {ex.Message}", ex);
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw new EngineException(ErrorKind.Unavailable, $"{req.Method} \"{req.RequestUri}\": timed out", ex);
            }

            if (resp.StatusCode != HttpStatusCode.Unauthorized || attempt > 0 || !authenticate)
            {
                return resp;
            }

            var challenge = resp.Headers.WwwAuthenticate.Select(h => AuthChallenge.Parse(h.ToString())).FirstOrDefault(c => c is not null);
            string? before = authorization;
            if (challenge is null || !await AuthorizeAsync(challenge, path, ct).ConfigureAwait(false) || authorization == before)
            {
                return resp;
            }

            resp.Dispose();
        }
    }

    private async Task<bool> AuthorizeAsync(AuthChallenge challenge, string? path, CancellationToken ct)
    {
        if (challenge.IsBasic)
        {
            if (credentials?.Username is not { Length: > 0 } user)
            {
                return false;
            }

            authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + credentials.Password));
            return true;
        }

        if (!challenge.IsBearer || challenge.Realm is not { Length: > 0 } realm
            || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("https" or "http"))
        {
            return false;
        }

        var query = new List<string>();
        if (challenge.Service is { Length: > 0 } service)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        string? scope = challenge.Scope ?? (path is null ? null : $"repository:{path}:{actions}");
        if (scope is not null)
        {
            query.Add("scope=" + Uri.EscapeDataString(scope));
        }

        var builder = new UriBuilder(realmUri);
        string existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', new[] { existing }.Where(s => s.Length > 0).Concat(query));
        using var req = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credentials?.Username is { Length: > 0 } u)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(u + ":" + credentials.Password)));
        }

        HttpResponseMessage resp;
        try
        {
            resp = await http.SendAsync(req, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new EngineException(ErrorKind.Unavailable, $"GET \"{builder.Uri}\" (token): {ex.Message}", ex);
        }

        using (resp)
        {
            if (!resp.IsSuccessStatusCode)
            {
                return false;
            }

            byte[] body = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            TokenResponse? token;
            try
            {
                token = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.TokenResponse);
            }
            catch (JsonException)
            {
                return false;
            }

            string? value = token?.Token is { Length: > 0 } t ? t : token?.AccessToken;
            if (string.IsNullOrEmpty(value))
            {
                return false;
            }

            authorization = "Bearer " + value;
            return true;
        }
    }

    /// <summary>Turns a failed response into an EngineException carrying the registry's own error codes and messages.</summary>
    private static async Task<EngineException> ErrorAsync(HttpResponseMessage resp, string what, CancellationToken ct)
    {
        string detail = string.Empty;
        try
        {
            var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxErrorBytes];
                int total = 0;
                int n;
                while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
                {
                    total += n;
                }

                var parsed = JsonSerializer.Deserialize(buffer.AsSpan(0, total), RegistryJsonContext.Default.RegistryErrorBody);
                detail = string.Join("; ", (parsed?.Errors ?? []).Select(e =>
                    $"{(e.Code ?? "unknown").ToLowerInvariant().Replace('_', ' ')}: {e.Message}"));
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException)
        {
            // no structured error body
        }

        int status = (int)resp.StatusCode;
        if (detail.Length == 0)
        {
            detail = resp.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "unauthorized: authentication required",
                HttpStatusCode.Forbidden => "denied: requested access to the resource is denied",
                _ => $"unexpected status {status} {resp.ReasonPhrase}",
            };
        }

        string message = what.Length == 0 ? ": " + detail : $"{what}: {detail}";
        return resp.StatusCode switch
        {
            HttpStatusCode.NotFound => EngineException.NotFound(message),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new EngineException(ErrorKind.Forbidden, message),
            _ when status >= 500 => new EngineException(ErrorKind.Unavailable, message),
            _ => EngineException.Invalid(message),
        };
    }

    /// <summary>A response body that disposes its response.</summary>
    private sealed class ResponseStream(HttpResponseMessage response, Stream inner) : ForwardOnlyReadStream
    {
        public override long Length => response.Content.Headers.ContentLength ?? throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
