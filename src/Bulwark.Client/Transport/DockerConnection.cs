using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bulwark.Client.Http;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client.Transport;

/// <summary>
/// The client's connection to bulwarkd's unix socket: ordinary calls reuse one kept-alive connection; a call made while
/// that one is busy (e.g. during a wait) and every hijack get a fresh one. The first versioned call negotiates the API
/// version with <c>HEAD /_ping</c>.
/// </summary>
internal sealed class DockerConnection(DaemonAddress address) : IDisposable
{
    private HttpConnection? _idle;
    private Task<PingResult>? _ping;

    public DaemonAddress Address => address;

    /// <summary>Negotiated version (the lower of the daemon's and <see cref="DockerClient.MaxApiVersion"/>).</summary>
    public string ApiVersion { get; private set; } = DockerClient.MaxApiVersion;

    /// <summary>When false, calls use <see cref="DockerClient.MaxApiVersion"/> without pinging first.</summary>
    public bool NegotiateVersion { get; set; } = true;

    /// <summary><c>HEAD /_ping</c> (falls back to GET unless the answer is 200 or 500); lowers <see cref="ApiVersion"/> to the daemon's.</summary>
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
        if (api is not null && CompareVersions(api, DockerClient.MaxApiVersion) < 0)
        {
            ApiVersion = api;
        }

        return new PingResult(api, head.GetHeader("Ostype"), head.GetHeader("Docker-Experimental") == "true", head.GetHeader("Server"));
    }

    /// <summary>Sends a request (the target must already carry its version prefix) and returns after the head.</summary>
    public async Task<DockerResponse> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var connection = Interlocked.Exchange(ref _idle, null);
        var reused = connection is not null;
        connection ??= await HttpConnection.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        HttpResponseHead head;
        try
        {
            head = await connection.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (reused && request.StreamBody is null && ex is IOException or SocketException)
        {
            // The kept-alive connection went stale: retry once on a fresh one.
            connection.Dispose();
            connection = await HttpConnection.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
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

    public async Task<string> TargetAsync(string pathAndQuery, CancellationToken cancellationToken)
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

    public async Task<DockerResponse> SendCheckedAsync(HttpRequest request, CancellationToken cancellationToken)
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

    public async Task<T> GetJsonAsync<T>(string pathAndQuery, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("GET", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JsonElement> GetRawJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("GET", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        var bytes = await response.ReadBodyAsync(cancellationToken).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(bytes);
        return doc.RootElement.Clone();
    }

    public async Task<bool> PostNoContentAsync(string pathAndQuery, CancellationToken cancellationToken)
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

    /// <summary>
    /// Sends an upgrade request on a fresh connection (expects <c>101</c>; a legacy <c>200</c> is accepted too) and
    /// returns the raw duplex stream; any other answer raises <see cref="DockerApiException"/>.
    /// </summary>
    public async Task<HijackedStream> HijackAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var connection = await HttpConnection.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        try
        {
            var head = await connection.SendAsync(request with
            {
                Headers = [.. request.Headers, new("Connection", "Upgrade"), new("Upgrade", "tcp")],
            }, cancellationToken).ConfigureAwait(false);
            if (head.StatusCode is 101 or 200)
            {
                return new HijackedStream(connection);
            }

            using var response = new DockerResponse(connection, head, connection.OpenBody(request.Method, head), static (_, _) => { });
            await ThrowForStatusAsync(response, request.Target, cancellationToken).ConfigureAwait(false);
            throw new DockerApiException(head.StatusCode, $"unable to upgrade to tcp, received {head.StatusCode}");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
