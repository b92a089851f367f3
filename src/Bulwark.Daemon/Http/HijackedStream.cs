using System.Net.Sockets;

namespace Bulwark.Daemon.Http;

/// <summary>The raw connection after a hijack: output writes, input reads (client half-close = input EOF only).</summary>
internal sealed class HijackedStream(Socket socket, NetworkStream stream, ConnectionReader reader)
{
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => stream.WriteAsync(data, ct);

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct) => reader.ReadAsync(buffer, ct);

    /// <summary>Ends our output direction (moby's CloseWrite), leaving the client's direction readable.</summary>
    public void CloseOutput()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
