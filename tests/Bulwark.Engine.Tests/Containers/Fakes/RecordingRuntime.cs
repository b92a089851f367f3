using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;

namespace Bulwark.Engine.Tests.Containers.Fakes;

/// <summary>An OCI runtime that records what it is asked and lets the test decide what a signal does.</summary>
internal sealed class RecordingRuntime : IContainerRuntime
{
    public List<string> Calls { get; } = [];

    public HashSet<string> Known { get; } = new(StringComparer.Ordinal);

    /// <summary>Called for each signal; the test completes the container's exit here when the signal would end it.</summary>
    public Action<string, int>? OnKill { get; set; }

    public Task KillAsync(string id, int signal, CancellationToken ct, bool all = false)
    {
        lock (Calls)
        {
            Calls.Add($"kill {signal}");
        }
        if (!Known.Contains(id))
        {
            throw EngineException.NotFound($"container {id}: runc kill failed: container does not exist");
        }
        OnKill?.Invoke(id, signal);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string id, bool force, CancellationToken ct)
    {
        Calls.Add(force ? "delete --force" : "delete");
        Known.Remove(id);
        return Task.CompletedTask;
    }

    public Task UpdateResourcesAsync(string id, Bulwark.Engine.Runtime.Oci.OciResources resources, CancellationToken ct)
    {
        Calls.Add("update");
        return Task.CompletedTask;
    }

    public Task PauseAsync(string id, CancellationToken ct)
    {
        Calls.Add("pause");
        return Task.CompletedTask;
    }

    /// <summary>Called on resume (a frozen container acts on its pending SIGKILL once thawed).</summary>
    public Action<string>? OnResume { get; set; }

    public Task ResumeAsync(string id, CancellationToken ct)
    {
        Calls.Add("resume");
        OnResume?.Invoke(id);
        return Task.CompletedTask;
    }

    public bool Knows(string id) => Known.Contains(id);

    public IReadOnlyList<string> KnownIds() => [.. Known];
}
