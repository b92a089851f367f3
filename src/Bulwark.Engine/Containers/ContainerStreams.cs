using System.Threading.Channels;
using Bulwark.Engine.Runtime.Monitor;

namespace Bulwark.Engine.Containers;

/// <summary>
/// The live stdio of one container: fans the monitor's output out to every attachment and carries stdin to the
/// monitor. Stdin written before the process exists is queued and delivered once it starts.
/// </summary>
public sealed class ContainerStreams
{
    private readonly Lock _lock = new();
    private readonly List<AttachSession> _sessions = [];
    private Channel<byte[]?> _stdin = Channel.CreateUnbounded<byte[]?>();
    private IMonitorSession? _monitor;
    private bool _stdinClosed;

    public AttachSession Attach(bool stdin, bool stdout, bool stderr)
    {
        var session = new AttachSession(this, stdin, stdout, stderr);
        lock (_lock)
        {
            _sessions.Add(session);
        }
        return session;
    }

    internal void Detach(AttachSession session)
    {
        lock (_lock)
        {
            _sessions.Remove(session);
        }
    }

    internal async ValueTask DeliverAsync(OutputStream stream, ReadOnlyMemory<byte> data)
    {
        AttachSession[] targets;
        lock (_lock)
        {
            targets = [.. _sessions];
        }
        if (targets.Length == 0)
        {
            return;
        }
        byte[] copy = data.ToArray();
        foreach (var s in targets)
        {
            await s.DeliverAsync(stream, copy).ConfigureAwait(false);
        }
    }

    /// <summary>The process ended and its output was delivered: every attachment's output completes.</summary>
    internal void CompleteAll()
    {
        AttachSession[] targets;
        lock (_lock)
        {
            targets = [.. _sessions];
            _sessions.Clear();
        }
        foreach (var s in targets)
        {
            s.Complete();
        }
    }

    /// <summary>A new run of the same container: fresh stdin, and attachments made while it was stopped stay.</summary>
    internal void ResetForNextRun()
    {
        lock (_lock)
        {
            _stdin.Writer.TryComplete();
            _stdin = Channel.CreateUnbounded<byte[]?>();
            _stdinClosed = false;
            _monitor = null;
        }
    }

    internal ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (_stdinClosed)
        {
            return ValueTask.CompletedTask;
        }
        return _stdin.Writer.WriteAsync(data.ToArray(), ct);
    }

    internal ValueTask CloseStdinAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            if (_stdinClosed)
            {
                return ValueTask.CompletedTask;
            }
            _stdinClosed = true;
        }
        return _stdin.Writer.WriteAsync(null, ct);
    }

    /// <summary>Connects a started monitor: queued stdin flows to it from now on.</summary>
    internal void Bind(IMonitorSession monitor, CancellationToken ct)
    {
        _monitor = monitor;
        _ = Task.Run(() => PumpStdinAsync(monitor, ct), CancellationToken.None);
    }

    internal ValueTask ResizeAsync(int rows, int cols, CancellationToken ct) =>
        _monitor is { } m ? m.ResizeAsync(rows, cols, ct) : ValueTask.CompletedTask;

    private async Task PumpStdinAsync(IMonitorSession monitor, CancellationToken ct)
    {
        try
        {
            await foreach (byte[]? chunk in _stdin.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (chunk is null)
                {
                    await monitor.CloseStdinAsync(ct).ConfigureAwait(false);
                    return;
                }
                await monitor.WriteStdinAsync(chunk, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The monitor went away: the container has exited.
        }
    }
}
