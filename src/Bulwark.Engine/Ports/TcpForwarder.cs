using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports;

/// <summary>
/// One published TCP port: accepts on the host address, and for each connection opens one from inside the
/// container's network namespace to the container port on its loopback, then copies bytes both ways (a half-close
/// is passed on); bulk transfers switch to splice(2). A refused inner connection closes the outer one.
/// </summary>
internal sealed class TcpForwarder(Socket listener, int containerPort, NetnsSocketFactory sockets, ILogger logger)
{
    private const int BufferSize = 128 * 1024;

    /// <summary>Bytes one direction carries before it switches to splice(2) (two threads would cost short connections more than they save).</summary>
    private const long SpliceAfterBytes = 1024 * 1024;

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                PortsLog.AcceptFailed(logger, containerPort, ex.Message);
                continue;
            }
            _ = ForwardAsync(client, ct); // runs on this thread only until its connect awaits
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken ct)
    {
        Socket? backend = null;
        try
        {
            client.NoDelay = true;
            backend = await sockets.CreateAsync(SocketType.Stream, ProtocolType.Tcp).ConfigureAwait(false);
            backend.NoDelay = true;
            await backend.ConnectAsync(new IPEndPoint(IPAddress.Loopback, containerPort), ct).ConfigureAwait(false);
            var up = CopyAsync(client, backend, ct);
            var down = CopyAsync(backend, client, ct);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            PortsLog.ConnectionEnded(logger, containerPort, ex.Message);
        }
        finally
        {
            client.Dispose();
            backend?.Dispose();
        }
    }

    /// <summary>
    /// Copies until end of stream, then half-closes the other side; an error closes both. Short exchanges stay on the
    /// thread pool; once a direction has carried <see cref="SpliceAfterBytes"/> it is a bulk transfer and the rest is
    /// moved by splice(2) on a thread of its own (without a pipe, descriptors exhausted, the async copy goes on).
    /// </summary>
    private static async Task CopyAsync(Socket from, Socket to, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long copied = 0;
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                int sent = 0;
                while (sent < n)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, ct).ConfigureAwait(false);
                }
                copied += n;
                if (copied >= SpliceAfterBytes && SocketSplice.TryStart(from, to, ct) is { } spliced)
                {
                    await spliced.ConfigureAwait(false);
                    return;
                }
            }
        }
        catch
        {
            from.Dispose();
            to.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
