using System.Globalization;
using System.Text;
using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Client.Http;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    public Task<bool> ContainerRestartAsync(string id, int? timeoutSeconds, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/restart" +
            new QueryBuilder().Add("t", timeoutSeconds?.ToString(CultureInfo.InvariantCulture)), cancellationToken);

    public Task<bool> ContainerPauseAsync(string id, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/pause", cancellationToken);

    public Task<bool> ContainerUnpauseAsync(string id, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/unpause", cancellationToken);

    public Task<bool> ContainerRenameAsync(string id, string newName, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/containers/{Escape(id)}/rename" + new QueryBuilder().Add("name", newName), cancellationToken);

    public Task<ContainerTopResponse> ContainerTopAsync(string id, string? psArgs, CancellationToken cancellationToken) =>
        GetJsonAsync($"/containers/{Escape(id)}/top" + new QueryBuilder().Add("ps_args", psArgs),
            DockerJsonContext.Default.ContainerTopResponse, cancellationToken);

    public async Task<IReadOnlyList<ContainerChangeItem>> ContainerChangesAsync(string id, CancellationToken cancellationToken) =>
        await GetJsonAsync($"/containers/{Escape(id)}/changes", DockerJsonContext.Default.ListContainerChangeItem, cancellationToken)
            .ConfigureAwait(false);

    /// <summary><c>GET /containers/{id}/stats</c>: one JSON document per line; dispose the response when done.</summary>
    public async Task<DockerResponse> ContainerStatsAsync(string id, bool stream, CancellationToken cancellationToken) =>
        await SendCheckedAsync(new HttpRequest("GET", await TargetAsync($"/containers/{Escape(id)}/stats" +
            new QueryBuilder().Add("stream", stream ? "1" : "0"), cancellationToken).ConfigureAwait(false)), cancellationToken)
            .ConfigureAwait(false);

    /// <summary><c>GET /containers/{id}/export</c>: the filesystem as a tar stream; dispose the response when done.</summary>
    public async Task<DockerResponse> ContainerExportAsync(string id, CancellationToken cancellationToken) =>
        await SendCheckedAsync(new HttpRequest("GET", await TargetAsync($"/containers/{Escape(id)}/export", cancellationToken)
            .ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);

    /// <summary><c>HEAD /containers/{id}/archive?path=</c>: what is at a path in the container.</summary>
    public async Task<ContainerPathStat> ContainerStatPathAsync(string id, string path, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(new HttpRequest("HEAD", await TargetAsync($"/containers/{Escape(id)}/archive" +
            new QueryBuilder().Add("path", path), cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return DecodePathStat(response);
    }

    /// <summary><c>GET /containers/{id}/archive?path=</c>: the stat of the path and a tar of it; dispose the response when done.</summary>
    public async Task<(ContainerPathStat Stat, DockerResponse Tar)> ContainerArchiveGetAsync(string id, string path,
        CancellationToken cancellationToken)
    {
        var response = await SendCheckedAsync(new HttpRequest("GET", await TargetAsync($"/containers/{Escape(id)}/archive" +
            new QueryBuilder().Add("path", path), cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        try
        {
            return (DecodePathStat(response), response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary><c>PUT /containers/{id}/archive?path=</c>: extracts the tar into the directory at <paramref name="path"/>.</summary>
    public async Task ContainerArchivePutAsync(string id, string path, Stream tar, bool noOverwriteDirNonDir, bool copyUidGid,
        CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("path", path).AddFlag("noOverwriteDirNonDir", noOverwriteDirNonDir).AddFlag("copyUIDGID", copyUidGid);
        using var response = await SendCheckedAsync(
            new HttpRequest("PUT", await TargetAsync($"/containers/{Escape(id)}/archive{query}", cancellationToken).ConfigureAwait(false))
            {
                StreamBody = tar,
                ContentType = "application/x-tar",
            }, cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PruneResponse> ContainerPruneAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        CancellationToken cancellationToken) =>
        await PostJsonAsync("/containers/prune" + new QueryBuilder().Add("filters", EncodeFilters(filters)),
            DockerJsonContext.Default.PruneResponse, cancellationToken).ConfigureAwait(false);

    private static ContainerPathStat DecodePathStat(DockerResponse response)
    {
        var header = response.Head.GetHeader("X-Docker-Container-Path-Stat")
            ?? throw new DockerApiException(response.StatusCode, "the daemon sent no X-Docker-Container-Path-Stat header");
        return JsonSerializer.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(header)), DockerJsonContext.Default.ContainerPathStat)
            ?? throw new DockerApiException(response.StatusCode, "the daemon sent an empty X-Docker-Container-Path-Stat header");
    }

    private async Task<T> PostJsonAsync<T>(string pathAndQuery, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> PostJsonBodyAsync<TBody, T>(string pathAndQuery, TBody body,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TBody> bodyType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false))
            {
                Body = JsonSerializer.SerializeToUtf8Bytes(body, bodyType),
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    private async Task PostJsonBodyNoContentAsync<TBody>(string pathAndQuery, TBody body,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false))
            {
                Body = JsonSerializer.SerializeToUtf8Bytes(body, bodyType),
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("DELETE", await TargetAsync(pathAndQuery, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
    }
}
