using Bulwark.Daemon.Http;
using Bulwark.Engine.Containers;

namespace Bulwark.Daemon.Api.Streams;

/// <summary>
/// Relays one attached session over a hijacked connection (container attach and exec alike): output to the client,
/// stdcopy-framed unless it is a TTY; client input to the process's stdin, watching for the detach keys. A client
/// half-close only ends its input: then either the process's stdin is closed (run -i / exec -i) or the attachment
/// ends (a detach). The output ends when the process has exited and everything was delivered.
/// </summary>
internal static class StdioRelay
{
    public static async Task RunAsync(
        HijackedStream conn, AttachSession session, bool tty, DetachKeys? keys, bool closeStdinOnEof, CancellationToken aborted)
    {
        using var inputDone = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var detached = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        Task input = session.WantsStdin
            ? PumpInputAsync(conn, session, keys, closeStdinOnEof, detached, inputDone.Token)
            : DiscardInputAsync(conn, inputDone.Token);
        try
        {
            await foreach (var (which, data) in session.Output.ReadAllAsync(detached.Token).ConfigureAwait(false))
            {
                await conn.WriteAsync(tty ? data : StdStreamFramer.Frame((int)which, data), aborted).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // Dropped as a too-slow client, or the client vanished.
        }
        catch (OperationCanceledException) when (detached.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            // Detached: the process keeps running.
        }
        conn.CloseOutput();
        await inputDone.CancelAsync().ConfigureAwait(false);
        try
        {
            await input.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            // The input side ends with the connection; nothing is left to report to anyone.
        }
    }

    private static async Task PumpInputAsync(
        HijackedStream conn, AttachSession session, DetachKeys? keys, bool closeStdinOnEof, CancellationTokenSource detach, CancellationToken ct)
    {
        byte[] buf = new byte[32 * 1024];
        int n;
        while ((n = await conn.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
        {
            if (keys is null)
            {
                await session.WriteStdinAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
                continue;
            }
            var (forward, detachNow) = keys.Filter(buf.AsSpan(0, n));
            if (forward.Length > 0)
            {
                await session.WriteStdinAsync(forward, ct).ConfigureAwait(false);
            }
            if (detachNow)
            {
                await detach.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
        if (closeStdinOnEof)
        {
            await session.CloseStdinAsync(ct).ConfigureAwait(false);
        }
        else
        {
            await detach.CancelAsync().ConfigureAwait(false);
        }
    }

    private static async Task DiscardInputAsync(HijackedStream conn, CancellationToken ct)
    {
        byte[] buf = new byte[4096];
        while (await conn.ReadAsync(buf, ct).ConfigureAwait(false) > 0)
        {
        }
    }
}
