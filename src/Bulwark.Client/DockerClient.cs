using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.Streams;
using Bulwark.Api.Models.System;
using Bulwark.Api.Models.Volumes;
using Bulwark.Client.Http;

namespace Bulwark.Client;

/// <summary>
/// Client of bulwarkd's Docker-Engine-compatible API over a unix socket. Ordinary calls reuse one kept-alive
/// connection; a call made while that one is busy (e.g. during a wait) and every hijack get a fresh one.
/// The first versioned call negotiates the API version with <c>HEAD /_ping</c>.
/// </summary>
public sealed partial class DockerClient : IDisposable
{
    /// <summary>The highest API version this client speaks.</summary>
    public const string MaxApiVersion = "1.44";

    private readonly string _socketPath;
    private HttpConnection? _idle;
    private Task<PingResult>? _ping;

    public DockerClient(string socketPath) => _socketPath = socketPath;

    public string SocketPath => _socketPath;

    /// <summary>Negotiated version (the lower of the daemon's and <see cref="MaxApiVersion"/>).</summary>
    public string ApiVersion { get; private set; } = MaxApiVersion;

    /// <summary>When false, calls use <see cref="MaxApiVersion"/> without pinging first.</summary>
    public bool NegotiateVersion { get; init; } = true;

    // ---- system -------------------------------------------------------------------------------------------------

    /// <summary><c>HEAD /_ping</c> (falls back to GET unless the answer is 200 or 500).</summary>
    public async Task<PingResult> PingAsync(CancellationToken cancellationToken)
    {
        var head = await PingOnceAsync("HEAD", cancellationToken).ConfigureAwait(false);
        if (head.StatusCode is not (200 or 500))
        {
            head = await PingOnceAsync("GET", cancellationToken).ConfigureAwait(false);
        }

        if (head.StatusCode is not (200 or 500))
        {
            throw new DockerApiException(head.StatusCode, $"ping failed: {head.StatusCode} {head.ReasonPhrase}");
        }

        var api = head.GetHeader("Api-Version");
        if (api is not null && CompareVersions(api, MaxApiVersion) < 0)
        {
            ApiVersion = api;
        }

        return new PingResult(api, head.GetHeader("Ostype"), head.GetHeader("Docker-Experimental") == "true", head.GetHeader("Server"));
    }

    public Task<VersionResponse> VersionAsync(CancellationToken cancellationToken) =>
        GetJsonAsync("/version", DockerJsonContext.Default.VersionResponse, cancellationToken);

    public Task<InfoResponse> InfoAsync(CancellationToken cancellationToken) =>
        GetJsonAsync("/info", DockerJsonContext.Default.InfoResponse, cancellationToken);

    /// <summary><c>GET /info</c> exactly as the daemon sent it (fields our models do not carry included).</summary>
    public Task<JsonElement> InfoRawAsync(CancellationToken cancellationToken) => GetRawJsonAsync("/info", cancellationToken);

    /// <summary><c>GET /version</c> exactly as the daemon sent it.</summary>
    public Task<JsonElement> VersionRawAsync(CancellationToken cancellationToken) => GetRawJsonAsync("/version", cancellationToken);

    // ---- containers ---------------------------------------------------------------------------------------------

    public async Task<ContainerCreateResponse> ContainerCreateAsync(ContainerCreateRequest request, string? name,
        CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, DockerJsonContext.Default.ContainerCreateRequest);
        var query = new QueryBuilder().Add("name", string.IsNullOrEmpty(name) ? null : name);
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/containers/create" + query, cancellationToken).ConfigureAwait(false))
            {
                Body = body,
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.ContainerCreateResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a container; false when it was already running (304).</summary>
    public Task<bool> ContainerStartAsync(string id, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/start", cancellationToken);

    /// <summary>Stops a container (<c>t</c> seconds before SIGKILL); false when it was not running (304).</summary>
    public Task<bool> ContainerStopAsync(string id, int? timeoutSeconds, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/stop" +
            new QueryBuilder().Add("t", timeoutSeconds?.ToString(CultureInfo.InvariantCulture)), cancellationToken);

    /// <summary>Sends a signal (name without SIG, or number); null means the daemon's default (KILL).</summary>
    public Task<bool> ContainerKillAsync(string id, string? signal, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/kill" + new QueryBuilder().Add("signal", signal), cancellationToken);

    public async Task ContainerRemoveAsync(string id, bool force, bool removeVolumes, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().AddFlag("force", force).AddFlag("v", removeVolumes);
        using var response = await SendCheckedAsync(
            new HttpRequest("DELETE", await TargetAsync($"/containers/{Escape(id)}{query}", cancellationToken).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> ContainerResizeAsync(string id, int height, int width, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/resize" + new QueryBuilder()
            .Add("h", height.ToString(CultureInfo.InvariantCulture))
            .Add("w", width.ToString(CultureInfo.InvariantCulture)), cancellationToken);

    /// <summary>
    /// <c>POST /containers/{id}/wait</c>: returns once the response headers arrived (the daemon has registered the
    /// waiter); the operation's <see cref="ContainerWaitOperation.Result"/> completes when the body arrives.
    /// </summary>
    public async Task<ContainerWaitOperation> ContainerWaitAsync(string id, string? condition, CancellationToken cancellationToken)
    {
        var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync($"/containers/{Escape(id)}/wait" + new QueryBuilder().Add("condition", condition),
                cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return new ContainerWaitOperation(ReadWaitBodyAsync(response, cancellationToken));
    }

    /// <summary>
    /// Hijacks a fresh connection for <c>POST /containers/{id}/attach</c> (expects <c>101</c>; a legacy <c>200</c>
    /// is accepted too) and returns the raw duplex stream.
    /// </summary>
    public Task<HijackedStream> ContainerAttachAsync(string id, bool stdin, CancellationToken cancellationToken) =>
        ContainerAttachAsync(id, stdin, detachKeys: null, cancellationToken);

    /// <summary>As above, with the key sequence that detaches (<c>ctrl-p,ctrl-q</c> when null).</summary>
    public async Task<HijackedStream> ContainerAttachAsync(string id, bool stdin, string? detachKeys, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("stream", "1").AddFlag("stdin", stdin).Add("stdout", "1").Add("stderr", "1")
            .Add("detachKeys", detachKeys);
        var target = await TargetAsync($"/containers/{Escape(id)}/attach{query}", cancellationToken).ConfigureAwait(false);
        return await HijackAsync(new HttpRequest("POST", target) { ContentType = "text/plain" }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ContainerSummary>> ContainerListAsync(bool all, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().AddFlag("all", all).Add("filters", EncodeFilters(filters));
        return await GetJsonAsync("/containers/json" + query, DockerJsonContext.Default.ListContainerSummary, cancellationToken)
            .ConfigureAwait(false);
    }

    public Task<ContainerInspectResponse> ContainerInspectAsync(string id, CancellationToken cancellationToken) =>
        GetJsonAsync($"/containers/{Escape(id)}/json", DockerJsonContext.Default.ContainerInspectResponse, cancellationToken);

    /// <summary>The inspect document exactly as the daemon sent it.</summary>
    public Task<JsonElement> ContainerInspectRawAsync(string id, CancellationToken cancellationToken) =>
        GetRawJsonAsync($"/containers/{Escape(id)}/json", cancellationToken);

    /// <summary>Log stream (stdcopy frames unless the container has a TTY); dispose the response when done.</summary>
    public async Task<DockerResponse> ContainerLogsAsync(string id, LogsOptions options, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder()
            .AddFlag("follow", options.Follow)
            .AddFlag("stderr", options.Stderr)
            .AddFlag("stdout", options.Stdout)
            .Add("tail", options.Tail)
            .AddFlag("timestamps", options.Timestamps)
            .Add("since", options.Since);
        return await SendCheckedAsync(
            new HttpRequest("GET", await TargetAsync($"/containers/{Escape(id)}/logs{query}", cancellationToken).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
    }

    // ---- volumes ------------------------------------------------------------------------------------------------

    public async Task<VolumeDto> VolumeCreateAsync(VolumeCreateRequest request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, DockerJsonContext.Default.VolumeCreateRequest);
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/volumes/create", cancellationToken).ConfigureAwait(false))
            {
                Body = body,
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.VolumeDto, cancellationToken).ConfigureAwait(false);
    }

    public Task<VolumeListResponse> VolumeListAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        GetJsonAsync("/volumes" + new QueryBuilder().Add("filters", EncodeFilters(filters)), DockerJsonContext.Default.VolumeListResponse, cancellationToken);

    public Task<JsonElement> VolumeInspectRawAsync(string name, CancellationToken cancellationToken) =>
        GetRawJsonAsync($"/volumes/{Escape(name)}", cancellationToken);

    public async Task VolumeRemoveAsync(string name, bool force, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("DELETE", await TargetAsync($"/volumes/{Escape(name)}" + new QueryBuilder().AddFlag("force", force),
                cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<VolumePruneResponse> VolumePruneAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/volumes/prune" + new QueryBuilder().Add("filters", EncodeFilters(filters)),
                cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.VolumePruneResponse, cancellationToken).ConfigureAwait(false);
    }

    // ---- images -------------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<ImageSummary>> ImageListAsync(bool all, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        CancellationToken cancellationToken) =>
        await GetJsonAsync("/images/json" + new QueryBuilder().AddFlag("all", all).Add("filters", EncodeFilters(filters)),
            DockerJsonContext.Default.ListImageSummary, cancellationToken).ConfigureAwait(false);

    public Task<ImageInspectResponse> ImageInspectAsync(string name, CancellationToken cancellationToken) =>
        GetJsonAsync($"/images/{EscapeName(name)}/json", DockerJsonContext.Default.ImageInspectResponse, cancellationToken);

    public Task<JsonElement> ImageInspectRawAsync(string name, CancellationToken cancellationToken) =>
        GetRawJsonAsync($"/images/{EscapeName(name)}/json", cancellationToken);

    /// <summary>Bulwark extension <c>GET /images/{name}/trust</c>: the daemon's verified signed tags of a repository.</summary>
    public Task<JsonElement> ImageTrustRawAsync(string name, CancellationToken cancellationToken) =>
        GetRawJsonAsync($"/images/{EscapeName(name)}/trust", cancellationToken);

    /// <summary><c>POST /images/{source}/tag?repo=&amp;tag=</c>.</summary>
    public async Task ImageTagAsync(string source, string repository, string? tag, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("repo", repository).Add("tag", tag);
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync($"/images/{EscapeName(source)}/tag{query}", cancellationToken).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ImageDeleteResponseItem>> ImageRemoveAsync(string name, bool force, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("DELETE", await TargetAsync($"/images/{EscapeName(name)}" + new QueryBuilder().AddFlag("force", force),
                cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.ListImageDeleteResponseItem, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /images/load?quiet=1</c> with a chunked <c>application/x-tar</c> body; returns the JSON-lines messages.
    /// A message carrying <c>error</c> raises <see cref="DockerApiException"/>.
    /// </summary>
    public async Task<IReadOnlyList<JsonMessage>> ImageLoadAsync(Stream tar, bool quiet, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/images/load" + new QueryBuilder().Add("quiet", quiet ? "1" : "0"),
                cancellationToken).ConfigureAwait(false))
            {
                StreamBody = tar,
                ContentType = "application/x-tar",
            }, cancellationToken).ConfigureAwait(false);
        return await ReadJsonMessagesAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /images/get?names=…</c>: the docker-archive tar stream; dispose the response when done.</summary>
    public async Task<DockerResponse> ImageSaveAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder();
        foreach (var name in names)
        {
            query.Add("names", name);
        }

        return await SendCheckedAsync(new HttpRequest("GET", await TargetAsync("/images/get" + query, cancellationToken).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /images/create?fromSrc=-</c> with the tar as chunked body. As the docker CLI does, the tag travels
    /// inside <c>repo</c> (<c>repo=name:tag</c>). Returns the JSON-lines messages (the last status is the image ID).
    /// </summary>
    public async Task<IReadOnlyList<JsonMessage>> ImageImportAsync(Stream tar, string? reference, IReadOnlyList<string> changes,
        string? message, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("fromSrc", "-").Add("repo", string.IsNullOrEmpty(reference) ? null : reference)
            .Add("message", string.IsNullOrEmpty(message) ? null : message);
        foreach (var change in changes)
        {
            query.Add("changes", change);
        }

        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/images/create" + query, cancellationToken).ConfigureAwait(false))
            {
                StreamBody = tar,
                ContentType = "text/plain",
            }, cancellationToken).ConfigureAwait(false);
        return await ReadJsonMessagesAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /images/create?fromImage=…&amp;tag=…</c> (pull): each progress message goes to <paramref name="onMessage"/> as it
    /// arrives; an in-stream error raises <see cref="DockerApiException"/>. <paramref name="tag"/> may be a digest.
    /// </summary>
    public async Task ImagePullAsync(string image, string? tag, Func<JsonMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("fromImage", image).Add("tag", string.IsNullOrEmpty(tag) ? null : tag);
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/images/create" + query, cancellationToken).ConfigureAwait(false))
            {
                Headers = [new("X-Registry-Auth", RegistryAuth ?? AnonymousAuth)],
            }, cancellationToken).ConfigureAwait(false);
        await StreamJsonMessagesAsync(response, onMessage, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /images/{name}/push?tag=…</c>: progress messages as for pull; the last carries <c>aux</c>.</summary>
    public async Task ImagePushAsync(string name, string? tag, Func<JsonMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("tag", string.IsNullOrEmpty(tag) ? null : tag);
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync($"/images/{name}/push{query}", cancellationToken).ConfigureAwait(false))
            {
                Headers = [new("X-Registry-Auth", RegistryAuth ?? AnonymousAuth)],
            }, cancellationToken).ConfigureAwait(false);
        await StreamJsonMessagesAsync(response, onMessage, cancellationToken).ConfigureAwait(false);
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    /// <summary>base64url("{}"): no credentials, as the docker CLI sends when it has none.</summary>
    private const string AnonymousAuth = "e30=";

    private static async Task StreamJsonMessagesAsync(DockerResponse response, Func<JsonMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(response.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var message = JsonSerializer.Deserialize(line, DockerJsonContext.Default.JsonMessage);
            if (message is null)
            {
                continue;
            }

            string? error = message.ErrorDetail is { Message.Length: > 0 } detail ? detail.Message : message.Error;
            if (!string.IsNullOrEmpty(error))
            {
                throw new DockerApiException(500, error);
            }

            await onMessage(message).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a request (the target must already carry its version prefix) and returns after the head.</summary>
    public async Task<DockerResponse> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var connection = Interlocked.Exchange(ref _idle, null);
        var reused = connection is not null;
        connection ??= await HttpConnection.ConnectAsync(_socketPath, cancellationToken).ConfigureAwait(false);
        HttpResponseHead head;
        try
        {
            head = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (reused && request.StreamBody is null && ex is IOException or SocketException)
        {
            // The kept-alive connection went stale: retry once on a fresh one.
            connection.Dispose();
            connection = await HttpConnection.ConnectAsync(_socketPath, cancellationToken).ConfigureAwait(false);
            head = await SendOnAsync(connection, request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new DockerResponse(connection, head, connection.OpenBody(request.Method, head), Release);
    }

    public void Dispose() => Interlocked.Exchange(ref _idle, null)?.Dispose();

    internal static int CompareVersions(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            var x = i < pa.Length && int.TryParse(pa[i], CultureInfo.InvariantCulture, out var vx) ? vx : 0;
            var y = i < pb.Length && int.TryParse(pb[i], CultureInfo.InvariantCulture, out var vy) ? vy : 0;
            if (x != y)
            {
                return x.CompareTo(y);
            }
        }

        return 0;
    }

    internal static string? EncodeFilters(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters)
    {
        if (filters is null || filters.Count == 0)
        {
            return null;
        }

        var map = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var (key, values) in filters)
        {
            var inner = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var value in values)
            {
                inner[value] = true;
            }

            map[key] = inner;
        }

        return JsonSerializer.Serialize(map, DockerJsonContext.Default.DictionaryStringDictionaryStringBoolean);
    }

    /// <summary>Turns a non-2xx response into <see cref="DockerApiException"/> with the daemon's message.</summary>
    internal static async Task ThrowForStatusAsync(DockerResponse response, string target, CancellationToken cancellationToken)
    {
        var bytes = await response.ReadBodyAsync(cancellationToken).ConfigureAwait(false);
        throw new DockerApiException(response.StatusCode, ErrorMessage(response.Head, bytes, target));
    }

    internal static string ErrorMessage(HttpResponseHead head, byte[] body, string target)
    {
        var contentType = head.GetHeader("Content-Type") ?? "";
        if (body.Length > 0 && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var error = JsonSerializer.Deserialize(body, DockerJsonContext.Default.ErrorResponse);
                if (!string.IsNullOrEmpty(error?.Message))
                {
                    return error.Message;
                }
            }
            catch (JsonException)
            {
                // Fall through to the raw text.
            }
        }

        var text = Encoding.UTF8.GetString(body).Trim();
        return text.Length > 0
            ? text
            : $"request returned {head.StatusCode} {head.ReasonPhrase} for API route and version {target}, check if the server supports the requested API version";
    }

    private static async Task<HttpResponseHead> SendOnAsync(HttpConnection connection, HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string Escape(string id) => Uri.EscapeDataString(id);

    /// <summary>Image references keep their slashes (<c>/images/library/busybox:1/json</c> as the Go client sends).</summary>
    private static string EscapeName(string name) => Uri.EscapeDataString(name).Replace("%2F", "/", StringComparison.Ordinal);

    private static async Task DrainAsync(DockerResponse response, CancellationToken cancellationToken) =>
        await response.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);

    private static async Task<T> ReadJsonAsync<T>(DockerResponse response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var bytes = await response.ReadBodyAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(bytes, typeInfo)
            ?? throw new JsonException($"the daemon answered null where a {typeof(T).Name} was expected");
    }

    private static async Task<WaitResponse> ReadWaitBodyAsync(DockerResponse response, CancellationToken cancellationToken)
    {
        using (response)
        {
            return await ReadJsonAsync(response, DockerJsonContext.Default.WaitResponse, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<JsonMessage>> ReadJsonMessagesAsync(DockerResponse response, CancellationToken cancellationToken)
    {
        var messages = new List<JsonMessage>();
        await StreamJsonMessagesAsync(response, m =>
        {
            messages.Add(m);
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        return messages;
    }

    private async Task<string> TargetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        if (NegotiateVersion)
        {
            _ping ??= PingAsync(cancellationToken);
            await _ping.ConfigureAwait(false);
        }

        return "/v" + ApiVersion + pathAndQuery;
    }

    private async Task<HttpResponseHead> PingOnceAsync(string method, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequest(method, "/_ping"), cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
        return response.Head;
    }

    private async Task<DockerResponse> SendCheckedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is >= 200 and < 400)
        {
            return response;
        }

        using (response)
        {
            await ThrowForStatusAsync(response, request.Target, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException("unreachable");
    }

    private async Task<T> GetJsonAsync<T>(string pathAndQuery, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("GET", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonElement> GetRawJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("GET", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        var bytes = await response.ReadBodyAsync(cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(bytes);
        return doc.RootElement.Clone();
    }

    private async Task<bool> PostNoContentAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
        return response.StatusCode != 304;
    }

    private void Release(HttpConnection connection, bool reusable)
    {
        if (!reusable || Interlocked.CompareExchange(ref _idle, connection, null) is not null)
        {
            connection.Dispose();
        }
    }
}
