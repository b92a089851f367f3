using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Client.Http;
using static Bulwark.Client.Transport.DockerWire;

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

    /// <summary><c>POST /commit</c>: a new image from the container's changes; answers its id.</summary>
    public async Task<string> ContainerCommitAsync(string container, string? repository, string? comment, string? author, bool pause,
        IReadOnlyList<string> changes, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("container", container).Add("repo", repository).Add("comment", comment).Add("author", author)
            .Add("pause", pause ? "1" : "0");
        foreach (var change in changes)
        {
            query.Add("changes", change);
        }
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/commit" + query, cancellationToken).ConfigureAwait(false)), cancellationToken)
            .ConfigureAwait(false);
        var answer = await ReadJsonAsync(response, DockerJsonContext.Default.CommitResponse, cancellationToken).ConfigureAwait(false);
        return answer.Id;
    }
}
