using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>
/// One connection to a container's monitor: output frames in, stdin/resize frames out. Dropping the session
/// (Dispose) leaves the monitor and the container running; reattach with <see cref="MonitorProcess.ConnectAsync"/>.
/// </summary>
public sealed class MonitorSession : IMonitorSession, IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly System.Diagnostics.Process? _owner;
    private Stream _input;
    private Stream _output;
    private int _disposed;

    internal MonitorSession(Stream input, Stream output, string stateDir, int pid, int monitorPid, System.Diagnostics.Process? owner)
    {
        _input = input;
        _output = output;
        StateDir = stateDir;
        Pid = pid;
        MonitorPid = monitorPid;
        _owner = owner;
    }

    /// <summary>The container's init pid (host pid namespace).</summary>
    public int Pid { get; }

    /// <summary>The monitor process's pid.</summary>
    public int MonitorPid { get; }

    public string StateDir { get; }

    /// <summary>
    /// Delivers output until the container exits and returns its status. If the connection drops without an exit
    /// record while the monitor is still alive, the session reconnects; if the monitor is gone, the exit file is read;
    /// with neither, the monitor crashed and the status has exit code -1.
    /// </summary>
    public async Task<ExitStatus> RunAsync(Func<StreamKind, ReadOnlyMemory<byte>, ValueTask> onOutput, CancellationToken ct)
    {
        using var registration = ct.Register(Dispose);
        while (true)
        {
            (byte Type, byte[] Payload)? frame;
            try
            {
                frame = await MonitorFrame.ReadAsync(_input, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
            {
                ct.ThrowIfCancellationRequested();
                frame = null;
            }

            if (frame is null)
            {
                ct.ThrowIfCancellationRequested();
                if (MonitorProcess.ReadExitFile(StateDir) is { } recorded)
                {
                    return recorded;
                }

                if (IsMonitorAlive() && await ReconnectAsync(ct).ConfigureAwait(false))
                {
                    continue;
                }

                return MonitorProcess.ReadExitFile(StateDir) ?? new ExitStatus(-1, false, DateTimeOffset.UtcNow);
            }

            var (type, payload) = frame.Value;
            switch (type)
            {
                case MonitorFrame.Stdout:
                    await onOutput(StreamKind.Stdout, payload).ConfigureAwait(false);
                    break;
                case MonitorFrame.Stderr:
                    await onOutput(StreamKind.Stderr, payload).ConfigureAwait(false);
                    break;
                case MonitorFrame.Exited:
                    return MonitorProcess.ParseExit(Encoding.ASCII.GetString(payload))
                           ?? MonitorProcess.ReadExitFile(StateDir)
                           ?? new ExitStatus(-1, false, DateTimeOffset.UtcNow);
                default:
                    break;
            }
        }
    }

    public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct) =>
        SendAsync(MonitorFrame.StdinData, data, ct);

    public ValueTask CloseStdinAsync(CancellationToken ct) => SendAsync(MonitorFrame.CloseStdin, ReadOnlyMemory<byte>.Empty, ct);

    public ValueTask ResizeAsync(int rows, int cols, CancellationToken ct) =>
        SendAsync(MonitorFrame.Resize, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{rows} {cols}")), ct);

    /// <summary>
    /// Completes when the monitor process has exited. After the exit frame the monitor still runs `runc delete`;
    /// until that is done the runtime's record of the container id exists, so a new run under the same id must wait.
    /// </summary>
    public async Task WaitForMonitorExitAsync(CancellationToken ct)
    {
        if (_owner is not null)
        {
            await _owner.WaitForExitAsync(ct).ConfigureAwait(false);
            return;
        }
        while (IsMonitorAlive())
        {
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _input.Dispose();
        _output.Dispose();
        _owner?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        // Large stdin writes are split so no frame exceeds what the monitor accepts.
        const int chunk = 256 * 1024;
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var offset = 0;
            do
            {
                var n = Math.Min(chunk, payload.Length - offset);
                var frame = MonitorFrame.Encode(type, payload.Span.Slice(offset, n));
                await _output.WriteAsync(frame, ct).ConfigureAwait(false);
                offset += n;
            }
            while (offset < payload.Length);

            await _output.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private bool IsMonitorAlive() => MonitorPid > 0 && Directory.Exists($"/proc/{MonitorPid}")
        && !File.ReadAllText($"/proc/{MonitorPid}/stat").Contains(") Z", StringComparison.Ordinal);

    private async Task<bool> ReconnectAsync(CancellationToken ct)
    {
        var fresh = await MonitorProcess.ConnectAsync(StateDir, ct).ConfigureAwait(false);
        if (fresh is null)
        {
            return false;
        }

        _input.Dispose();
        _output.Dispose();
        _input = fresh._input;
        _output = fresh._output;
        return true;
    }
}
