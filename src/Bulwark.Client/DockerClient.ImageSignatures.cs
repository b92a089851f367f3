using Bulwark.Api.Models;
using Bulwark.Api.Models.Trust;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    /// <summary>Bulwark extension <c>POST /images/{name}/verify</c>: the local image's digest checked against one public key.</summary>
    public Task<ImageVerifyResponse> ImageVerifyAsync(string name, ImageVerifyRequest request, CancellationToken cancellationToken) =>
        PostJsonBodyAsync($"/images/{EscapeName(name)}/verify", request, DockerJsonContext.Default.ImageVerifyRequest,
            DockerJsonContext.Default.ImageVerifyResponse, cancellationToken);
}
