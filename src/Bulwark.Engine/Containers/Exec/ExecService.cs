using System.Collections.Concurrent;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Monitor;
using Bulwark.Engine.Runtime.Oci;

using Bulwark.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Exec;

/// <summary>docker exec: a process in a running container, run by its own monitor in exec mode.</summary>
internal sealed class ExecService(
    EngineOptions options, ContainerIndex index, ContainerLayout layout, RuntimeInfo runtimeInfo, IMonitorLauncher monitors,
    ContainerEvents events, ILogger logger, CancellationToken shutdown)
{
    private static readonly TimeSpan ExecRetention = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, ExecRecord> _execs = new(StringComparer.Ordinal);

    public ExecRecord CreateExec(string containerReference, ExecSpec spec)
    {
        var entry = index.Find(containerReference);
        var r = entry.Record;
        if (spec.Cmd.Count == 0 || spec.Cmd[0].Length == 0)
        {
            throw EngineException.Invalid("No exec command specified");
        }
        if (spec.Privileged)
        {
            throw EngineException.Forbidden("allow-privileged", "policy \"allow-privileged\" refuses a privileged exec: privileged processes are disabled on this daemon");
        }
        Quarantine.ContainerQuarantine.ThrowIfIsolated(r, "exec");
        if (r.State == ContainerState.Paused)
        {
            throw EngineException.Conflict($"Container {r.Id} is paused, unpause the container before exec");
        }
        if (r.State != ContainerState.Running)
        {
            throw EngineException.Conflict($"Container {r.Id} is not running");
        }
        PruneExecs();
        var exec = new ExecRecord { Id = ContainerIndex.NewId(), ContainerId = r.Id, Spec = spec };
        _execs[exec.Id] = exec;
        return exec;
    }

    public ExecRecord GetExec(string id) =>
        _execs.TryGetValue(id, out var e) ? e : throw EngineException.NotFound("No such exec instance: " + id);

    public IReadOnlyList<string> ExecIdsOf(string containerId) =>
        [.. _execs.Values.Where(e => e.ContainerId == containerId && e.Running).Select(e => e.Id)];

    /// <summary>Starts the exec; the returned task completes with its exit code after its output was delivered.</summary>
    public async Task<Task<int>> StartExecAsync(string execId, CancellationToken ct)
    {
        var exec = GetExec(execId);
        lock (exec)
        {
            if (exec.Started)
            {
                throw EngineException.Conflict($"Error: Exec command {execId} has already run");
            }
            exec.Started = true;
        }
        var entry = index.Find(exec.ContainerId);
        var r = entry.Record;
        if (r.State != ContainerState.Running)
        {
            throw EngineException.Conflict($"Container {r.Id} is not running");
        }

        string containerDir = layout.DirectoryOf(r.Id);
        string stateDir = layout.ExecStateDir(exec.Id);
        Directory.CreateDirectory(stateDir);
        string processFile = Path.Combine(stateDir, "process.json");
        await File.WriteAllBytesAsync(processFile, BuildExecProcess(containerDir, r, exec.Spec), ct).ConfigureAwait(false);

        IMonitorSession session = await monitors.StartAsync(new MonitorStartOptions
        {
            MonitorPath = options.MonitorPath,
            ContainerId = r.Id,
            BundleDir = containerDir,
            RuntimePath = runtimeInfo.Path,
            RuntimeRoot = layout.RuntimeRoot,
            StateDir = stateDir,
            LogPath = "none",
            Tty = exec.Spec.Tty,
            Stdin = exec.Spec.AttachStdin,
            ExecProcessPath = processFile,
        }, ct).ConfigureAwait(false);

        exec.Pid = session.Pid;
        exec.Running = true;
        exec.Streams.Bind(session, shutdown);
        events.Publish(r, "exec_start: " + string.Join(' ', exec.Spec.Cmd), ("execID", exec.Id));
        return SuperviseExecAsync(exec, session, stateDir, r);
    }

    private async Task<int> SuperviseExecAsync(ExecRecord exec, IMonitorSession session, string stateDir, ContainerRecord r)
    {
        ExitStatus exit;
        try
        {
            exit = await session.RunAsync((stream, data) => exec.Streams.DeliverAsync((OutputStream)(int)stream, data), shutdown)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or EngineException)
        {
            exit = monitors.ReadExitFile(stateDir) ?? new ExitStatus(-1, false, DateTimeOffset.UtcNow);
        }
        finally
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
        // The exit code is recorded before the stream ends: clients read it right after EOF.
        exec.ExitCode = exit.ExitCode < 0 ? 126 : exit.ExitCode;
        exec.FinishedAt = exit.FinishedAt;
        exec.Running = false;
        exec.Streams.CompleteAll();
        events.Publish(r, "exec_die", ("execID", exec.Id), ("exitCode", exec.ExitCode.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            Directory.Delete(stateDir, recursive: true);
        }
        catch (IOException ex)
        {
            ContainerLog.CleanupFailed(logger, stateDir, ex.Message);
        }
        return exec.ExitCode.Value;
    }

    /// <summary>Records a start failure as the exec's exit code (127 not found, 126 not executable), as Docker does.</summary>
    public void FailExec(string execId, string message)
    {
        var exec = GetExec(execId);
        exec.Running = false;
        int code = StartErrors.ExitCode(message);
        exec.ExitCode = code == 128 ? 126 : code; // any other start failure: 126, as Docker
        exec.FinishedAt = DateTimeOffset.UtcNow;
        exec.Streams.CompleteAll();
    }

    public ValueTask ResizeExecAsync(string execId, int rows, int cols, CancellationToken ct)
    {
        var exec = GetExec(execId);
        return exec.Streams.ResizeAsync(rows, cols, ct);
    }

    /// <summary>The container's own process settings (capabilities, seccomp-bound NNP, rlimits) with the exec's command.</summary>
    private static byte[] BuildExecProcess(string containerDir, ContainerRecord r, ExecSpec spec)
    {
        OciSpec bundle = OciBundle.Read(r.Id, containerDir);
        var env = OciSpecBuilder.ResolveEnv(r.Env, spec.Env, r.Hostname, spec.Tty);
        var user = spec.User is { Length: > 0 } u ? ContainerUser.Resolve(u, Path.Combine(containerDir, "rootfs"), r.Spec.GroupAdd) : bundle.Process.User;
        var process = bundle.Process with
        {
            Args = spec.Cmd,
            Env = env,
            Cwd = spec.WorkingDir is { Length: > 0 } w ? w : bundle.Process.Cwd,
            User = user,
            Terminal = spec.Tty,
            ConsoleSize = spec.Tty && spec.ConsoleSize is { Rows: > 0, Columns: > 0 } size ? new OciConsoleSize(size.Rows, size.Columns) : null,
        };
        return JsonSerializer.SerializeToUtf8Bytes(process, OciJsonContext.Default.OciProcess);
    }

    private void PruneExecs()
    {
        var cutoff = DateTimeOffset.UtcNow - ExecRetention;
        foreach (var e in _execs.Values)
        {
            if (!e.Running && e.FinishedAt is { } f && f < cutoff)
            {
                _execs.TryRemove(e.Id, out _);
            }
        }
    }

}
