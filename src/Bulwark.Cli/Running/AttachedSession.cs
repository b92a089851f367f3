using System.Runtime.InteropServices;
using Bulwark.Client;
using Bulwark.Client.Streams;

namespace Bulwark.Cli.Running;

/// <summary>
/// The attached part of <c>run</c> and <c>start -a</c>, in docker's order: attach (hijack, 101) → wait (headers
/// received) → start → resize (TTY) → stream output until EOF → exit code from the wait body.
/// </summary>
internal sealed class AttachedSession(DockerClient client, Stream stdin, Stream stdout, Stream stderr)
{
    /// <summary>Whether our stdin is a terminal (decides raw mode for <c>-t</c>).</summary>
    public bool StdinIsTerminal { get; init; }

    /// <summary>Terminal size for resize, or null.</summary>
    public Func<(int Rows, int Columns)?> TerminalSize { get; init; } = () => null;

    public async Task<int> RunAsync(string id, bool tty, bool attachStdin, bool autoRemove, bool proxySignals,
        CancellationToken cancellationToken)
    {
        // Attach and wait are both in place before start; neither needs the other, so they go out together (one round
        // trip less on `run`'s path). An attach error still wins, as in docker's order.
        var attaching = client.ContainerAttachAsync(id, attachStdin, cancellationToken);
        var waiting = client.ContainerWaitAsync(id, autoRemove ? "removed" : "next-exit", cancellationToken);
        HijackedStream attached;
        try
        {
            attached = await attaching.ConfigureAwait(false);
        }
        catch
        {
            await ObserveAsync(waiting).ConfigureAwait(false);
            throw;
        }

        using var hijack = attached;
        var wait = await waiting.ConfigureAwait(false);

        Task stdinPump;
        if (attachStdin)
        {
            stdinPump = PumpStdinAsync(hijack, cancellationToken);
        }
        else
        {
            hijack.CloseWrite();
            stdinPump = Task.CompletedTask;
        }

        using var raw = tty && attachStdin && StdinIsTerminal ? TerminalMode.TryEnterRaw() : null;
        try
        {
            await client.ContainerStartAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            raw?.Dispose();
            await stderr.WriteAsync(global::System.Text.Encoding.UTF8.GetBytes(
                $"bulwark: Error response from daemon: {ex.Message}\n"), cancellationToken).ConfigureAwait(false);
            if (autoRemove)
            {
                try
                {
                    await wait.Result.ConfigureAwait(false);
                }
                catch (Exception waitError) when (waitError is DockerApiException or IOException)
                {
                    // The container is gone either way.
                }
            }

            return ExitCodes.ForStartError(ex.Message);
        }

        var registrations = new List<PosixSignalRegistration>();
        if (tty)
        {
            await ResizeAsync(id, cancellationToken).ConfigureAwait(false);
            registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, ctx => _ = ResizeAsync(id, CancellationToken.None)));
        }
        else if (proxySignals)
        {
            foreach (var (signal, name) in new[] { (PosixSignal.SIGINT, "INT"), (PosixSignal.SIGTERM, "TERM"), (PosixSignal.SIGHUP, "HUP"), (PosixSignal.SIGQUIT, "QUIT") })
            {
                registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
                {
                    ctx.Cancel = true;
                    _ = ForwardSignalAsync(id, name);
                }));
            }
        }

        try
        {
            if (tty)
            {
                await hijack.CopyToAsync(stdout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await StdCopyDemultiplexer.CopyAsync(hijack, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }

            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            var status = await wait.Result.ConfigureAwait(false);
            if (status.Error is { Message.Length: > 0 } error)
            {
                raw?.Dispose();
                await stderr.WriteAsync(global::System.Text.Encoding.UTF8.GetBytes($"bulwark: {error.Message}\n"), cancellationToken)
                    .ConfigureAwait(false);
                return ExitCodes.DaemonError;
            }

            _ = stdinPump;
            return (int)status.StatusCode;
        }
        finally
        {
            foreach (var r in registrations)
            {
                r.Dispose();
            }
        }
    }

    private async Task PumpStdinAsync(HijackedStream hijack, CancellationToken cancellationToken)
    {
        try
        {
            await stdin.CopyToAsync(hijack, cancellationToken).ConfigureAwait(false);
            hijack.CloseWrite();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The container went away while we were still copying input.
        }
    }

    private async Task ResizeAsync(string id, CancellationToken cancellationToken)
    {
        if (TerminalSize() is not { Rows: > 0, Columns: > 0 } size)
        {
            return;
        }

        try
        {
            await client.ContainerResizeAsync(id, size.Rows, size.Columns, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or IOException)
        {
            // docker: "failed to resize tty, using default size" — not fatal.
        }
    }

    private async Task ForwardSignalAsync(string id, string signal)
    {
        try
        {
            await client.ContainerKillAsync(id, signal, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or IOException)
        {
            // 409 (not running) is ignored like docker does.
        }
    }

    private static async Task ObserveAsync(Task<ContainerWaitOperation> waiting)
    {
        try
        {
            await waiting.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // The attach error is the one reported.
        }
    }
}
