using System.Runtime.InteropServices;
using Bulwark.Api.Models.Exec;
using Bulwark.Client;
using Bulwark.Client.Streams;

namespace Bulwark.Cli.Running;

/// <summary>
/// The attached part of <c>exec</c>, in docker's order: create → start (hijack) → resize (TTY) → stream until EOF →
/// the process's exit code from exec inspect.
/// </summary>
internal sealed class ExecSession(DockerClient client, Stream stdin, Stream stdout, Stream stderr)
{
    /// <summary>Whether our stdin is a terminal (decides raw mode for <c>-t</c>).</summary>
    public bool StdinIsTerminal { get; init; }

    /// <summary>Terminal size for the console, or null.</summary>
    public Func<(int Rows, int Columns)?> TerminalSize { get; init; } = () => null;

    public async Task<int> RunAsync(string container, ExecCreateRequest request, CancellationToken cancellationToken)
    {
        var size = request.Tty ? TerminalSize() : null;
        if (size is { } s)
        {
            request.ConsoleSize = [s.Rows, s.Columns];
        }

        var execId = await client.ExecCreateAsync(container, request, cancellationToken).ConfigureAwait(false);
        if (request.Detach)
        {
            await client.ExecStartDetachedAsync(execId, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        using var hijack = await client.ExecStartAttachedAsync(execId, request.Tty, request.ConsoleSize, cancellationToken).ConfigureAwait(false);
        if (request.AttachStdin)
        {
            _ = PumpStdinAsync(hijack, cancellationToken);
        }
        else
        {
            hijack.CloseWrite();
        }

        using var raw = request.Tty && request.AttachStdin && StdinIsTerminal ? TerminalMode.TryEnterRaw() : null;
        using var winch = request.Tty ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => ResizeInBackground(execId)) : null;
        if (request.Tty)
        {
            await hijack.CopyToAsync(stdout, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await StdCopyDemultiplexer.CopyAsync(hijack, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }

        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        raw?.Dispose();
        return await ExitCodeAsync(execId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The daemon records the exit code before the output ends, so one inspect normally answers; a process that closed
    /// its output but still runs (a detach) is polled until it ends, as docker's getExecExitStatus does.
    /// </summary>
    private async Task<int> ExitCodeAsync(string execId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var inspect = await client.ExecInspectAsync(execId, cancellationToken).ConfigureAwait(false);
            if (!inspect.Running)
            {
                return inspect.ExitCode ?? 0;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
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
            // The process went away while we were still copying input.
        }
    }

    private void ResizeInBackground(string execId) => _ = ResizeAsync(execId);

    private async Task ResizeAsync(string execId)
    {
        if (TerminalSize() is not { Rows: > 0, Columns: > 0 } size)
        {
            return;
        }

        try
        {
            await client.ExecResizeAsync(execId, size.Rows, size.Columns, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or IOException)
        {
            // Not fatal, as in docker.
        }
    }
}
