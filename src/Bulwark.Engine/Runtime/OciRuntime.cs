using System.Globalization;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;

namespace Bulwark.Engine.Runtime;

/// <summary>Drives the OCI runtime CLI (runc or crun) for containers whose state lives under <see cref="Root"/>.</summary>
public sealed class OciRuntime : IContainerRuntime
{
    public OciRuntime(string path, string root)
    {
        Path = path;
        Root = root;
    }

    public string Path { get; }

    /// <summary>The runtime's state directory (--root).</summary>
    public string Root { get; }

    public async Task KillAsync(string id, int signal, CancellationToken ct, bool all = false)
    {
        var args = new List<string> { "kill" };
        if (all)
        {
            args.Add("--all");
        }

        args.Add(id);
        args.Add(signal.ToString(CultureInfo.InvariantCulture));
        await RunAsync(id, "kill", args, ct).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string id, bool force, CancellationToken ct)
    {
        var args = new List<string> { "delete" };
        if (force)
        {
            args.Add("--force");
        }

        args.Add(id);
        await RunAsync(id, "delete", args, ct).ConfigureAwait(false);
    }

    public Task PauseAsync(string id, CancellationToken ct) => RunAsync(id, "pause", ["pause", id], ct);

    public Task ResumeAsync(string id, CancellationToken ct) => RunAsync(id, "resume", ["resume", id], ct);

    public async Task UpdateResourcesAsync(string id, OciResources resources, CancellationToken ct)
    {
        // Devices are not the runtime's to change live; memory, cpu and pids go through its own cgroup code.
        string json = JsonSerializer.Serialize(resources with { Devices = null }, OciJsonContext.Default.OciResources);
        var result = await RuntimeCommand.RunAsync(Path, ["--root", Root, "update", "--resources", "-", id], json, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure(id, "update", result);
        }
    }

    /// <summary>The runtime's state of a container, or null when the runtime does not know it.</summary>
    public async Task<RuntimeState?> StateAsync(string id, CancellationToken ct)
    {
        var result = await RuntimeCommand.RunAsync(Path, ["--root", Root, "state", id], ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            if (IsNotFound(result.Stderr))
            {
                return null;
            }

            throw Failure(id, "state", result);
        }

        OciRuntimeState? state;
        try
        {
            state = JsonSerializer.Deserialize(result.Stdout, OciJsonContext.Default.OciRuntimeState);
        }
        catch (JsonException ex)
        {
            throw new EngineException(ErrorKind.Internal, $"container {id}: cannot parse {Path} state output: {ex.Message}", ex);
        }

        return state is null ? null : new RuntimeState(state.Status ?? "unknown", state.Pid);
    }

    public bool Knows(string id) => Directory.Exists(System.IO.Path.Combine(Root, id));

    public IReadOnlyList<string> KnownIds() =>
        Directory.Exists(Root) ? [.. Directory.EnumerateDirectories(Root).Select(d => System.IO.Path.GetFileName(d)!)] : [];

    private async Task RunAsync(string id, string verb, IReadOnlyList<string> args, CancellationToken ct)
    {
        var result = await RuntimeCommand.RunAsync(Path, ["--root", Root, .. args], ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure(id, verb, result);
        }
    }

    private static bool IsNotFound(string stderr) =>
        stderr.Contains("does not exist", StringComparison.Ordinal) || stderr.Contains("not found", StringComparison.Ordinal);

    private EngineException Failure(string id, string verb, RuntimeCommandResult result)
    {
        var text = result.Stderr.Trim();
        if (text.Length == 0)
        {
            text = $"exit status {result.ExitCode}";
        }

        var kind = IsNotFound(text) ? ErrorKind.NotFound
            : text.Contains("not running", StringComparison.Ordinal) || text.Contains("not paused", StringComparison.Ordinal)
              || text.Contains("is paused", StringComparison.Ordinal)
                ? ErrorKind.Conflict
                : ErrorKind.Internal;
        return new EngineException(kind, $"container {id}: {System.IO.Path.GetFileName(Path)} {verb} failed: {text}");
    }
}
