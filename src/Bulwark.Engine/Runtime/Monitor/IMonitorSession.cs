namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>One connection to a running monitor (container or exec): output in, stdin and resize out.</summary>
public interface IMonitorSession : IAsyncDisposable
{
    /// <summary>The supervised process's pid (host pid namespace).</summary>
    int Pid { get; }

    /// <summary>The monitor process's pid.</summary>
    int MonitorPid { get; }

    string StateDir { get; }

    /// <summary>Delivers output until the process exits and returns its status.</summary>
    Task<ExitStatus> RunAsync(Func<StreamKind, ReadOnlyMemory<byte>, ValueTask> onOutput, CancellationToken ct);

    ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct);

    ValueTask CloseStdinAsync(CancellationToken ct);

    ValueTask ResizeAsync(int rows, int cols, CancellationToken ct);

    /// <summary>Completes when the monitor process itself has exited (after its runtime clean-up).</summary>
    Task WaitForMonitorExitAsync(CancellationToken ct);
}
