using Bulwark.Client.Http;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    /// <summary>
    /// Sends an upgrade request on a fresh connection (expects <c>101</c>; a legacy <c>200</c> is accepted too) and
    /// returns the raw duplex stream; any other answer raises <see cref="DockerApiException"/>.
    /// </summary>
    private async Task<HijackedStream> HijackAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var connection = await HttpConnection.ConnectAsync(_address, cancellationToken).ConfigureAwait(false);
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
