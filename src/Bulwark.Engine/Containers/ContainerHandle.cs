namespace Bulwark.Engine.Containers;

/// <summary>
/// The in-memory companion of one container record, shared by every container service: the per-container gate
/// (one writer at a time), the stdio hub, and the exit and removal signals waiters hold.
/// </summary>
internal sealed class ContainerHandle(ContainerRecord record)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TaskCompletionSource<int> _exit = NewTcs();
    private readonly TaskCompletionSource<int> _removed = NewTcs();

    public ContainerRecord Record { get; } = record;

    public string Id => Record.Id;

    public ContainerStreams Streams { get; } = new();

    public Task<int> NextExit => Volatile.Read(ref _exit).Task;

    public Task<int> Removed => _removed.Task;

    private bool _forgotten;

    /// <summary>Marks the handle as dropped from the index: late writers (an exit report) must not recreate its record.</summary>
    public void Forget() => Volatile.Write(ref _forgotten, true);

    /// <summary>True once the container was removed from the index.</summary>
    public bool Forgotten => Volatile.Read(ref _forgotten);

    public TimeSpan RestartBackoff { get; set; }

    public CancellationTokenSource? HealthChecks { get; set; }

    /// <summary>Completes when the last run's monitor process is gone (its `runc delete` done).</summary>
    public Task MonitorGone { get; set; } = Task.CompletedTask;

    /// <summary>Takes the container's gate; dispose the lease to release it. Every state change happens under it.</summary>
    public async Task<GateLease> LockAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        return new GateLease(_gate);
    }

    public void ResetStreams() => Streams.ResetForNextRun();

    public void ResetExit()
    {
        if (_exit.Task.IsCompleted)
        {
            Volatile.Write(ref _exit, NewTcs());
        }
    }

    public void SignalExit(int code) => Volatile.Read(ref _exit).TrySetResult(code);

    public void SignalRemoved(int code)
    {
        SignalExit(code);
        _removed.TrySetResult(code);
    }

    private static TaskCompletionSource<int> NewTcs() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Holds a container's gate until disposed.</summary>
    public readonly struct GateLease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
