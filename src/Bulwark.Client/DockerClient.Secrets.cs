using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Secrets;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    public Task<SecretCreateResponse> SecretCreateAsync(SecretCreateRequest request, CancellationToken cancellationToken) =>
        PostJsonBodyAsync("/secrets/create", request, DockerJsonContext.Default.SecretCreateRequest,
            DockerJsonContext.Default.SecretCreateResponse, cancellationToken);

    public async Task<IReadOnlyList<SecretDto>> SecretListAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        CancellationToken cancellationToken) =>
        await GetJsonAsync("/secrets" + new QueryBuilder().Add("filters", EncodeFilters(filters)), DockerJsonContext.Default.ListSecretDto,
            cancellationToken).ConfigureAwait(false);

    public Task<JsonElement> SecretInspectRawAsync(string id, CancellationToken cancellationToken) =>
        GetRawJsonAsync($"/secrets/{Escape(id)}", cancellationToken);

    public Task SecretRemoveAsync(string id, CancellationToken cancellationToken) => DeleteAsync($"/secrets/{Escape(id)}", cancellationToken);

    /// <summary>Bulwark: adds the next version of an existing secret (<c>POST /secrets/{id}/versions</c>).</summary>
    public Task<SecretDto> SecretAddVersionAsync(string id, SecretCreateRequest request, CancellationToken cancellationToken) =>
        PostJsonBodyAsync($"/secrets/{Escape(id)}/versions", request, DockerJsonContext.Default.SecretCreateRequest,
            DockerJsonContext.Default.SecretDto, cancellationToken);

    /// <summary>Bulwark: a new secret key; every stored version is re-encrypted under it.</summary>
    public Task<SecretRotateKeyResponse> SecretRotateKeyAsync(CancellationToken cancellationToken) =>
        PostJsonAsync("/secrets/rotate-key", DockerJsonContext.Default.SecretRotateKeyResponse, cancellationToken);
}
