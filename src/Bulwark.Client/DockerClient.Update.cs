using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Client.Http;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    /// <summary><c>POST /containers/{id}/update</c>: new resources or restart policy; answers the daemon's warnings.</summary>
    public async Task<IReadOnlyList<string>> ContainerUpdateAsync(string id, ContainerUpdateRequest request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, DockerJsonContext.Default.ContainerUpdateRequest);
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync($"/containers/{Escape(id)}/update", cancellationToken).ConfigureAwait(false))
            {
                Body = body,
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        var answer = await ReadJsonAsync(response, DockerJsonContext.Default.ContainerUpdateResponse, cancellationToken).ConfigureAwait(false);
        return answer.Warnings ?? [];
    }
}
