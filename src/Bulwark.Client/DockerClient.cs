using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.Streams;
using Bulwark.Api.Models.System;
using Bulwark.Api.Models.Volumes;
using Bulwark.Client.Http;
using Bulwark.Client.Transport;
using static Bulwark.Client.Transport.DockerWire;

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

    private readonly DockerConnection _connection;

    public DockerClient(string socketPath)
        : this(new UnixSocketAddress(socketPath))
    {
    }

    public DockerClient(DaemonAddress address) => _connection = new DockerConnection(address);

    /// <summary>The unix socket's path; for a remote daemon (ssh) its address as a URL.</summary>
    public string SocketPath => Address is UnixSocketAddress unix ? unix.Path : Address.Display;

    public DaemonAddress Address => _connection.Address;

    /// <summary>Negotiated version (the lower of the daemon's and <see cref="MaxApiVersion"/>).</summary>
    public string ApiVersion => _connection.ApiVersion;

    /// <summary>When false, calls use <see cref="MaxApiVersion"/> without pinging first.</summary>
    public bool NegotiateVersion
    {
        get => _connection.NegotiateVersion;
        init => _connection.NegotiateVersion = value;
    }

    // ---- system -------------------------------------------------------------------------------------------------

    /// <summary><c>HEAD /_ping</c> (falls back to GET unless the answer is 200 or 500).</summary>
    public Task<PingResult> PingAsync(CancellationToken cancellationToken) => _connection.PingAsync(cancellationToken);

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
        var body = JsonSerializer.SerializeToUtf8Bytes(request, Serialization.RequestJsonContext.Default.ContainerCreateRequest);
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

    // ---- transport (Transport/DockerConnection, Transport/DockerWire) -------------------------------------------

    /// <summary>Sends a request (the target must already carry its version prefix) and returns after the head.</summary>
    public Task<DockerResponse> SendAsync(HttpRequest request, CancellationToken cancellationToken) =>
        _connection.SendAsync(request, cancellationToken);

    public void Dispose() => _connection.Dispose();

    private Task<string> TargetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        _connection.TargetAsync(pathAndQuery, cancellationToken);

    private Task<DockerResponse> SendCheckedAsync(HttpRequest request, CancellationToken cancellationToken) =>
        _connection.SendCheckedAsync(request, cancellationToken);

    private Task<T> GetJsonAsync<T>(string pathAndQuery, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        _connection.GetJsonAsync(pathAndQuery, typeInfo, cancellationToken);

    private Task<JsonElement> GetRawJsonAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        _connection.GetRawJsonAsync(pathAndQuery, cancellationToken);

    private Task<bool> PostNoContentAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        _connection.PostNoContentAsync(pathAndQuery, cancellationToken);

    private Task<HijackedStream> HijackAsync(HttpRequest request, CancellationToken cancellationToken) =>
        _connection.HijackAsync(request, cancellationToken);
}
