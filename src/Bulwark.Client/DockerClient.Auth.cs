using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Images;
using Bulwark.Client.Http;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    /// <summary>The X-Registry-Auth value pull and push send (base64url JSON); null sends none ("{}").</summary>
    public string? RegistryAuth { get; set; }

    /// <summary><c>POST /auth</c>: the daemon checks the credentials against the registry (401 with its reason when refused).</summary>
    public async Task<AuthResponse> LoginAsync(RegistryAuthConfig config, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(config, DockerJsonContext.Default.RegistryAuthConfig);
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync("/auth", cancellationToken).ConfigureAwait(false))
            {
                Body = body,
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, DockerJsonContext.Default.AuthResponse, cancellationToken).ConfigureAwait(false);
    }
}
