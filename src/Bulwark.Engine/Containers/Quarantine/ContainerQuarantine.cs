using System.Globalization;
using Bulwark.Engine.Containers.Tasks;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Quarantine;

/// <summary>
/// Incident response: cuts a running container off without killing it. Every link but loopback in its network
/// namespace is brought down (the routes they carried are recorded for undo), new execs and starts are refused while
/// it is isolated, and it can be frozen (paused) too. Undo brings the links and routes back and thaws it if isolation
/// froze it. Both are announced as container events ("isolate", "unisolate"); the API audits the request.
/// </summary>
internal sealed class ContainerQuarantine(ContainerIndex index, ContainerControl control, ContainerEvents events, ILogger logger)
{
    private const string Ip = "ip";
    private const string Nsenter = "nsenter";

    public async Task<QuarantineState> IsolateAsync(string reference, bool freeze, CancellationToken ct)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        QuarantineState state;
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (r.State is not (ContainerState.Running or ContainerState.Paused))
            {
                throw EngineException.Conflict($"container {r.Name} is not running: there is nothing to isolate");
            }
            if (r.Spec.Network.Mode == "host")
            {
                throw EngineException.Conflict(
                    $"container {r.Name} shares the host's network namespace: cutting its network would cut the host's; stop it, or pause it");
            }
            if (r.Quarantine is { } existing)
            {
                state = existing;
            }
            else
            {
                string netns = NetnsOf(r);
                var routes = new List<string>();
                routes.AddRange(await ListAsync(netns, ["-o", "-4", "route", "show"], ct).ConfigureAwait(false));
                routes.AddRange((await ListAsync(netns, ["-o", "-6", "route", "show"], ct).ConfigureAwait(false)).Select(l => "-6 " + l));
                var links = (await ListAsync(netns, ["-o", "link", "show", "up"], ct).ConfigureAwait(false))
                    .Select(LinkName).Where(n => n is { Length: > 0 } and not "lo").ToList();
                foreach (string link in links)
                {
                    await IpAsync(netns, ["link", "set", "dev", link, "down"], ct).ConfigureAwait(false);
                }
                state = new QuarantineState { Since = DateTimeOffset.UtcNow, LinksDown = links!, Routes = routes };
                r.Quarantine = state;
                index.Save(entry);
            }
        }
        if (freeze && !state.Frozen)
        {
            if (r.State != ContainerState.Paused)
            {
                await control.PauseAsync(r.Id, ct).ConfigureAwait(false);
            }
            using (await entry.LockAsync(ct).ConfigureAwait(false))
            {
                state = state with { Frozen = true };
                r.Quarantine = state;
                index.Save(entry);
            }
        }
        events.Publish(r, "isolate", ("frozen", state.Frozen ? "true" : "false"), ("links", string.Join(",", state.LinksDown)));
        return state;
    }

    public async Task UndoAsync(string reference, CancellationToken ct)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        var state = r.Quarantine ?? throw EngineException.Conflict($"container {r.Name} is not isolated");
        if (state.Frozen && r.State == ContainerState.Paused)
        {
            await control.UnpauseAsync(r.Id, ct).ConfigureAwait(false);
        }
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (r.State is ContainerState.Running or ContainerState.Paused)
            {
                string netns = NetnsOf(r);
                foreach (string link in state.LinksDown)
                {
                    await IpAsync(netns, ["link", "set", "dev", link, "up"], ct).ConfigureAwait(false);
                }
                foreach (string route in state.Routes)
                {
                    // Routes of the links (default, gateway) went with them; "replace" re-adds them and leaves the
                    // kernel's own prefix routes, which came back with the links, as they are.
                    var words = route.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
                    var args = words[0] == "-6" ? new List<string> { "-6", "route", "replace" } : ["route", "replace"];
                    args.AddRange(words[0] == "-6" ? words.Skip(1) : words);
                    var result = await RunIpAsync(netns, args, ct).ConfigureAwait(false);
                    if (result.ExitCode != 0)
                    {
                        QuarantineLog.RouteNotRestored(logger, r.Id, route, result.Stderr.Trim());
                    }
                }
            }
            r.Quarantine = null;
            index.Save(entry);
        }
        events.Publish(r, "unisolate");
    }

    /// <summary>The refusal an isolated container gives to new processes (exec, start).</summary>
    public static void ThrowIfIsolated(ContainerRecord r, string what)
    {
        if (r.Quarantine is { } q)
        {
            throw EngineException.Conflict(string.Create(CultureInfo.InvariantCulture,
                $"container {r.Name} is isolated (since {q.Since:yyyy-MM-ddTHH:mm:ssZ}): {what} is refused until `bulwark isolate --undo {r.Name}`"));
        }
    }

    private static string NetnsOf(ContainerRecord r) => string.Create(CultureInfo.InvariantCulture, $"/proc/{r.Pid}/ns/net");

    /// <summary>"2: eth0@if7: &lt;BROADCAST,...&gt; ..." → "eth0".</summary>
    private static string LinkName(string line)
    {
        var parts = line.Split(':', 3);
        if (parts.Length < 3)
        {
            return "";
        }
        string name = parts[1].Trim();
        int at = name.IndexOf('@', StringComparison.Ordinal);
        return at >= 0 ? name[..at] : name;
    }

    private static async Task<List<string>> ListAsync(string netns, IReadOnlyList<string> args, CancellationToken ct)
    {
        var result = await RunIpAsync(netns, args, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new EngineException(ErrorKind.Internal, $"ip {string.Join(' ', args)} in {netns} failed: {result.Stderr.Trim()}");
        }
        return [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Replace("\\", " ", StringComparison.Ordinal).Trim())];
    }

    private static async Task IpAsync(string netns, IReadOnlyList<string> args, CancellationToken ct)
    {
        var result = await RunIpAsync(netns, args, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new EngineException(ErrorKind.Internal, $"ip {string.Join(' ', args)} in {netns} failed: {result.Stderr.Trim()}");
        }
    }

    private static Task<RuntimeCommandResult> RunIpAsync(string netns, IReadOnlyList<string> args, CancellationToken ct) =>
        RuntimeCommand.RunAsync(Nsenter, ["--net=" + netns, "--", Ip, .. args], ct);
}

internal static partial class QuarantineLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "container {Id}: route \"{Route}\" not restored after isolation: {Reason}")]
    public static partial void RouteNotRestored(ILogger logger, string id, string route, string reason);
}
