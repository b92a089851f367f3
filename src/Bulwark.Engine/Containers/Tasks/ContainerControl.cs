using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Tasks;

/// <summary>
/// Acts on running containers through the runtime: stop (signal, grace period, SIGKILL), kill, pause/unpause, and
/// the waits and attachments clients hold. Exits are observed, never assumed: every wait ends on the exit the
/// monitor reports.
/// </summary>
internal sealed class ContainerControl(
    ContainerIndex index,
    IContainerRuntime runtime,
    ContainerEvents events,
    ILogger logger,
    Func<ContainerRecord, string, CancellationToken, Task>? verifyImage = null)
{
    /// <summary>How long a SIGKILLed container may take to be reported as exited.</summary>
    public static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(30);

    /// <summary>How long kill waits for the exit of a container whose init has a handler for the signal sent.</summary>
    public static readonly TimeSpan CaughtSignalGrace = TimeSpan.FromSeconds(2);

    /// <summary>Sends the stop signal, waits up to <paramref name="timeoutSeconds"/>, then SIGKILL. False when not running (304).</summary>
    public async Task<bool> StopAsync(string reference, int? timeoutSeconds, string? signal, CancellationToken ct)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        if (r.State == ContainerState.Restarting)
        {
            // Waiting for its next restart: stopping cancels it.
            using (await entry.LockAsync(ct).ConfigureAwait(false))
            {
                if (r.State == ContainerState.Restarting)
                {
                    r.ManuallyStopped = true;
                    r.State = ContainerState.Exited;
                    index.Save(entry);
                    return true;
                }
            }
        }
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            return false;
        }
        Task exited = entry.NextExit;
        r.ManuallyStopped = true;
        int sig = Signals.Parse(signal ?? r.Spec.StopSignal ?? "SIGTERM");
        int timeout = timeoutSeconds ?? r.Spec.StopTimeout ?? 10;
        events.Publish(r, "kill", ("signal", sig.ToString(CultureInfo.InvariantCulture)));
        await TryKillAsync(r.Id, sig, ct).ConfigureAwait(false);
        await ThawIfPausedAsync(r, ct).ConfigureAwait(false);
        if (timeout < 0)
        {
            await exited.WaitAsync(ct).ConfigureAwait(false);
        }
        else if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(timeout), ct)).ConfigureAwait(false) != exited)
        {
            await TryKillAsync(r.Id, 9, ct).ConfigureAwait(false);
            await exited.WaitAsync(KillGrace, ct).ConfigureAwait(false);
        }
        events.Publish(r, "stop");
        return true;
    }

    public async Task KillAsync(string reference, string? signal, CancellationToken ct)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            throw EngineException.Conflict($"Cannot kill container: {reference}: Container {r.Id} is not running");
        }
        int sig = Signals.Parse(signal ?? "SIGKILL");
        Task exited = entry.NextExit;
        bool caught = sig != 9 && SignalDisposition.Catches(r.Pid, sig);
        events.Publish(r, "kill", ("signal", sig.ToString(CultureInfo.InvariantCulture)));
        await runtime.KillAsync(r.Id, sig, ct).ConfigureAwait(false);
        if (sig == 9)
        {
            // Like dockerd, answer once it is no longer running: clients inspect or remove right after.
            await ThawIfPausedAsync(r, ct).ConfigureAwait(false);
            await exited.WaitAsync(KillGrace, ct).ConfigureAwait(false);
        }
        else if (caught)
        {
            // A handler may end the process (SIGTERM, SIGINT...): give it a bounded moment, answering as soon as it exits.
            await Task.WhenAny(exited, Task.Delay(CaughtSignalGrace, ct)).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL and wait for the exit the monitor reports (rm -f). Nothing to do when it is not running.</summary>
    public async Task KillAndWaitAsync(ContainerHandle entry, CancellationToken ct)
    {
        var r = entry.Record;
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            return;
        }
        Task exited = entry.NextExit;
        await TryKillAsync(r.Id, 9, ct).ConfigureAwait(false);
        await ThawIfPausedAsync(r, ct).ConfigureAwait(false);
        await exited.WaitAsync(KillGrace, ct).ConfigureAwait(false);
    }

    public async Task TryKillAsync(string id, int signal, CancellationToken ct)
    {
        try
        {
            await runtime.KillAsync(id, signal, ct).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            // Already gone between our check and the signal: the monitor reports the exit.
            ContainerLog.KillFailed(logger, id, ex.Message);
        }
    }

    /// <summary>
    /// Registers a waiter now and returns the task that completes with the exit code: condition
    /// "not-running" (default), "next-exit" or "removed".
    /// </summary>
    public Task<int> Wait(string reference, string? condition)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        return (condition ?? "not-running") switch
        {
            "" or "not-running" => r.State is ContainerState.Running or ContainerState.Paused or ContainerState.Restarting
                ? entry.NextExit
                : Task.FromResult(r.ExitCode),
            "next-exit" => entry.NextExit,
            "removed" => entry.Removed,
            string c => throw EngineException.Invalid($"invalid condition: \"{c}\""),
        };
    }

    public async Task PauseAsync(string reference, CancellationToken ct)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (r.State == ContainerState.Paused)
            {
                throw EngineException.Conflict($"Container {r.Id} is already paused");
            }
            if (r.State != ContainerState.Running)
            {
                throw EngineException.Conflict($"Container {r.Id} is not running");
            }
            await runtime.PauseAsync(r.Id, ct).ConfigureAwait(false);
            r.State = ContainerState.Paused;
            index.Save(entry);
        }
        events.Publish(r, "pause");
    }

    public async Task UnpauseAsync(string reference, CancellationToken ct)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (r.State != ContainerState.Paused)
            {
                throw EngineException.Conflict($"Container {r.Id} is not paused");
            }
            if (verifyImage is not null)
            {
                await verifyImage(r, "unpause", ct).ConfigureAwait(false); // content trust
            }
            await runtime.ResumeAsync(r.Id, ct).ConfigureAwait(false);
            r.State = ContainerState.Running;
            index.Save(entry);
        }
        events.Publish(r, "unpause");
    }

    /// <summary>A frozen process cannot act on signals: thaw it after signalling (stop/kill/rm -f of a paused container).</summary>
    private async Task ThawIfPausedAsync(ContainerRecord r, CancellationToken ct)
    {
        if (r.State != ContainerState.Paused)
        {
            return;
        }
        try
        {
            await runtime.ResumeAsync(r.Id, ct).ConfigureAwait(false);
            r.State = ContainerState.Running;
        }
        catch (EngineException ex)
        {
            ContainerLog.KillFailed(logger, r.Id, ex.Message);
        }
    }

    /// <summary>Attaches to a created or running container's stdio.</summary>
    public AttachSession Attach(string reference, bool stdin, bool stdout, bool stderr)
    {
        var entry = index.Find(reference);
        var state = entry.Record.State;
        if (state is ContainerState.Removing or ContainerState.Dead)
        {
            throw EngineException.Conflict($"container {entry.Record.Id} is being removed: cannot attach");
        }
        if (state == ContainerState.Paused)
        {
            throw EngineException.Conflict($"container {entry.Record.Id} is paused, unpause the container before attach");
        }
        var session = entry.Streams.Attach(stdin, stdout, stderr);
        events.Publish(entry.Record, "attach"); // Docker's `container attach` event
        return session;
    }

    public ValueTask ResizeAsync(string reference, int rows, int cols, CancellationToken ct)
    {
        var entry = index.Find(reference);
        if (entry.Record.State != ContainerState.Running)
        {
            throw EngineException.Conflict($"Container {entry.Record.Id} is not running");
        }
        return entry.Streams.ResizeAsync(rows, cols, ct);
    }
}
