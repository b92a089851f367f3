using Bulwark.Client.Http;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    /// <summary><c>GET /bulwark/containers/{id}/evidence</c>: the signed evidence bundle as a tar stream; dispose the response when done.</summary>
    public async Task<DockerResponse> ContainerEvidenceAsync(string id, CancellationToken cancellationToken) =>
        await SendCheckedAsync(new HttpRequest("GET", await TargetAsync($"/bulwark/containers/{Escape(id)}/evidence", cancellationToken)
            .ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);

    /// <summary><c>GET /bulwark/evidence/key</c>: the daemon's evidence-signing public key (PEM).</summary>
    public async Task<string> EvidenceKeyAsync(CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(new HttpRequest("GET", await TargetAsync("/bulwark/evidence/key", cancellationToken)
            .ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(response.Body);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
