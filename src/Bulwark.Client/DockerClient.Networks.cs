using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Networks;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    public Task<NetworkCreateResponse> NetworkCreateAsync(NetworkCreateRequest request, CancellationToken cancellationToken) =>
        PostJsonBodyAsync("/networks/create", request, DockerJsonContext.Default.NetworkCreateRequest,
            DockerJsonContext.Default.NetworkCreateResponse, cancellationToken);

    public async Task<IReadOnlyList<NetworkDto>> NetworkListAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        CancellationToken cancellationToken) =>
        await GetJsonAsync("/networks" + new QueryBuilder().Add("filters", EncodeFilters(filters)), DockerJsonContext.Default.ListNetworkDto,
            cancellationToken).ConfigureAwait(false);

    /// <summary>The list exactly as the daemon sent it (for <c>--format</c>).</summary>
    public Task<JsonElement> NetworkListRawAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        GetRawJsonAsync("/networks" + new QueryBuilder().Add("filters", EncodeFilters(filters)), cancellationToken);

    public Task<JsonElement> NetworkInspectRawAsync(string id, CancellationToken cancellationToken) =>
        GetRawJsonAsync($"/networks/{Escape(id)}", cancellationToken);

    public Task NetworkRemoveAsync(string id, CancellationToken cancellationToken) => DeleteAsync($"/networks/{Escape(id)}", cancellationToken);

    public Task<NetworkPruneResponse> NetworkPruneAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        CancellationToken cancellationToken) =>
        PostJsonAsync("/networks/prune" + new QueryBuilder().Add("filters", EncodeFilters(filters)),
            DockerJsonContext.Default.NetworkPruneResponse, cancellationToken);

    public Task NetworkConnectAsync(string network, NetworkConnectRequest request, CancellationToken cancellationToken) =>
        PostJsonBodyNoContentAsync($"/networks/{Escape(network)}/connect", request, DockerJsonContext.Default.NetworkConnectRequest, cancellationToken);

    public Task NetworkDisconnectAsync(string network, NetworkDisconnectRequest request, CancellationToken cancellationToken) =>
        PostJsonBodyNoContentAsync($"/networks/{Escape(network)}/disconnect", request, DockerJsonContext.Default.NetworkDisconnectRequest,
            cancellationToken);
}
