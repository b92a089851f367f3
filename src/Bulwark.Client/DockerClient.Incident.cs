using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    /// <summary>Bulwark's isolate (or, with <paramref name="undo"/>, its reversal).</summary>
    public Task<IsolateResponse> IsolateAsync(string id, bool freeze, bool undo, CancellationToken cancellationToken) =>
        PostJsonAsync($"/bulwark/containers/{Escape(id)}/isolate" + new QueryBuilder().Add("freeze", freeze ? "1" : null).Add("undo", undo ? "1" : null),
            DockerJsonContext.Default.IsolateResponse, cancellationToken);
}
