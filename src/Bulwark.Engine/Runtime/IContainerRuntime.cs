namespace Bulwark.Engine.Runtime;

/// <summary>
/// The OCI runtime as the container services use it (signals, freezer, deletion, state). <see cref="OciRuntime"/> drives
/// runc or crun; unit tests substitute a recording fake.
/// </summary>
public interface IContainerRuntime
{
    Task KillAsync(string id, int signal, CancellationToken ct, bool all = false);

    Task DeleteAsync(string id, bool force, CancellationToken ct);

    Task PauseAsync(string id, CancellationToken ct);

    Task ResumeAsync(string id, CancellationToken ct);

    /// <summary>Changes the cgroup limits of a created, running or paused container (<c>runc update</c>).</summary>
    Task UpdateResourcesAsync(string id, Oci.OciResources resources, CancellationToken ct);

    /// <summary>True when the runtime keeps state for this id (its directory under --root exists): cheap, no process spawned.</summary>
    bool Knows(string id);

    /// <summary>Every container id the runtime keeps state for.</summary>
    IReadOnlyList<string> KnownIds();
}
