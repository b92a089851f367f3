using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports;

/// <summary>
/// One published TCP port: its <see cref="SpliceLoop"/> accepts on the host address and forwards each connection into
/// the container's network namespace, to the container port on its loopback, until the port is closed.
/// </summary>
internal sealed class TcpForwarder(Socket listener, int containerPort, string containerId, NetnsSocketFactory sockets, ILogger logger)
{
    public async Task RunAsync(CancellationToken ct)
    {
        using var loop = new SpliceLoop(listener, containerPort, containerId, sockets, logger);
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The port is closed: disposing the loop ends its connections.
        }
    }
}
