using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Bulwark.Cli.Output;
using Bulwark.Client;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]</c>: CPU, memory, block I/O and PIDs, computed
/// from the daemon's samples as the docker CLI computes them. Live mode redraws once a second on a terminal and
/// prints one table per second when piped; <c>--no-stream</c> prints one table.
/// </summary>
internal static class StatsCommand
{
    private static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Container"] = "CONTAINER", ["ID"] = "CONTAINER ID", ["Name"] = "NAME", ["CPUPerc"] = "CPU %", ["MemUsage"] = "MEM USAGE / LIMIT",
        ["MemPerc"] = "MEM %", ["NetIO"] = "NET I/O", ["BlockIO"] = "BLOCK I/O", ["PIDs"] = "PIDS",
    };

    private const string DefaultFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

    public static Command Create(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers (default shows just running)" };
        var noStream = new Option<bool>("--no-stream") { Description = "Disable streaming stats and only pull the first result" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate output" };
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var containers = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("stats", "Display a live stream of container(s) resource usage statistics") { all, noStream, noTrunc, format, containers };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var layout = ListFormat.Parse(result.GetValue(format) is { Length: > 0 } f ? f : DefaultFormat) ?? ListFormat.Parse(DefaultFormat)!;
            using var client = context.CreateClient(result);
            var names = result.GetValue(containers) is { Length: > 0 } given
                ? given.ToList()
                : (await client.ContainerListAsync(result.GetValue(all), null, ct).ConfigureAwait(false)).Select(c => c.Id).ToList();
            var trunc = !result.GetValue(noTrunc);
            if (result.GetValue(noStream))
            {
                var rows = new List<JsonElement>();
                var exit = 0;
                foreach (var name in names)
                {
                    try
                    {
                        using var response = await client.ContainerStatsAsync(name, stream: false, ct).ConfigureAwait(false);
                        var bytes = await response.ReadBodyAsync(ct).ConfigureAwait(false);
                        using var doc = JsonDocument.Parse(bytes);
                        rows.Add(Row(name, doc.RootElement, trunc));
                    }
                    catch (DockerApiException ex)
                    {
                        await context.Error.WriteLineAsync("Error response from daemon: " + ex.Message).ConfigureAwait(false);
                        exit = 1;
                    }
                }

                await context.Out.WriteAsync(layout.Render(rows, Headers)).ConfigureAwait(false);
                return exit;
            }

            return await StreamAsync(context, result, names, layout, trunc, ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<int> StreamAsync(CliContext context, ParseResult result, List<string> names, ListFormat layout, bool trunc, CancellationToken ct)
    {
        var latest = new ConcurrentDictionary<string, JsonElement>(StringComparer.Ordinal);
        var errors = new ConcurrentQueue<string>();
        // Ctrl-C cancels ct (System.CommandLine), which ends the readers and the redraw loop.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var readers = names.Select(name => Task.Run(async () =>
        {
            using var client = context.CreateClient(result);
            try
            {
                using var response = await client.ContainerStatsAsync(name, stream: true, stop.Token).ConfigureAwait(false);
                using var reader = new StreamReader(response.Body, Encoding.UTF8);
                while (await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
                {
                    if (line.Length > 0)
                    {
                        using var doc = JsonDocument.Parse(line);
                        latest[name] = Row(name, doc.RootElement, trunc);
                    }
                }
            }
            catch (DockerApiException ex)
            {
                errors.Enqueue("Error response from daemon: " + ex.Message);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                latest.TryRemove(name, out _);
            }
        }, CancellationToken.None)).ToList();

        var terminal = !Console.IsOutputRedirected;
        var all = Task.WhenAll(readers);
        try
        {
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(1), stop.Token)).ConfigureAwait(false);
                while (errors.TryDequeue(out var error))
                {
                    await context.Error.WriteLineAsync(error).ConfigureAwait(false);
                }

                var rows = names.Where(latest.ContainsKey).Select(n => latest[n]).ToList();
                var table = layout.Render(rows, Headers);
                await context.Out.WriteAsync(terminal ? "\u001b[2J\u001b[H" + table : table).ConfigureAwait(false);
                await context.Out.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await all.ConfigureAwait(false);
        while (errors.TryDequeue(out var error))
        {
            await context.Error.WriteLineAsync(error).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The docker CLI's row: CPU % from the two samples' deltas, memory without the page cache.</summary>
    internal static JsonElement Row(string container, JsonElement s, bool trunc)
    {
        var id = Text(s, "id");
        var cpu = Percent(s);
        var usage = Number(s, "memory_stats", "usage");
        var cache = Number(s, "memory_stats", "stats", "inactive_file") is var v2 and > 0 ? v2 : Number(s, "memory_stats", "stats", "total_inactive_file");
        var memory = Math.Max(0, usage - cache);
        var limit = Number(s, "memory_stats", "limit");
        double read = 0, write = 0;
        if (s.TryGetProperty("blkio_stats", out var blkio) && blkio.TryGetProperty("io_service_bytes_recursive", out var entries)
            && entries.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in entries.EnumerateArray())
            {
                var op = Text(e, "op");
                var value = e.TryGetProperty("value", out var n) ? n.GetDouble() : 0;
                if (op.Equals("read", StringComparison.OrdinalIgnoreCase))
                {
                    read += value;
                }
                else if (op.Equals("write", StringComparison.OrdinalIgnoreCase))
                {
                    write += value;
                }
            }
        }

        double rx = 0, tx = 0;
        if (s.TryGetProperty("networks", out var networks) && networks.ValueKind == JsonValueKind.Object)
        {
            foreach (var network in networks.EnumerateObject())
            {
                rx += Number(network.Value, "rx_bytes");
                tx += Number(network.Value, "tx_bytes");
            }
        }

        return new JsonRow()
            .Add("BlockIO", HumanUnits.Size(read) + " / " + HumanUnits.Size(write))
            .Add("CPUPerc", cpu.ToString("0.00", CultureInfo.InvariantCulture) + "%")
            .Add("Container", container)
            .Add("ID", trunc && id.Length > 12 ? id[..12] : id)
            .Add("MemPerc", (limit > 0 ? memory / limit * 100 : 0).ToString("0.00", CultureInfo.InvariantCulture) + "%")
            .Add("MemUsage", BinarySize(memory) + " / " + BinarySize(limit))
            .Add("Name", Text(s, "name").TrimStart('/'))
            .Add("NetIO", HumanUnits.Size(rx) + " / " + HumanUnits.Size(tx))
            .Add("PIDs", ((long)Number(s, "pids_stats", "current")).ToString(CultureInfo.InvariantCulture))
            .Build();
    }

    private static double Percent(JsonElement s)
    {
        var cpuDelta = Number(s, "cpu_stats", "cpu_usage", "total_usage") - Number(s, "precpu_stats", "cpu_usage", "total_usage");
        var systemDelta = Number(s, "cpu_stats", "system_cpu_usage") - Number(s, "precpu_stats", "system_cpu_usage");
        var cpus = Number(s, "cpu_stats", "online_cpus");
        if (cpus == 0 && s.TryGetProperty("cpu_stats", out var c) && c.TryGetProperty("cpu_usage", out var u)
            && u.TryGetProperty("percpu_usage", out var per) && per.ValueKind == JsonValueKind.Array)
        {
            cpus = per.GetArrayLength();
        }

        return systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * cpus * 100 : 0;
    }

    /// <summary>docker's BytesSize: binary units, 4 significant digits ("1.945MiB").</summary>
    internal static string BinarySize(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var i = 0;
        while (bytes >= 1024 && i < units.Length - 1)
        {
            bytes /= 1024;
            i++;
        }

        return bytes.ToString("0.###", CultureInfo.InvariantCulture) + units[i];
    }

    private static double Number(JsonElement e, params string[] path)
    {
        foreach (var name in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e))
            {
                return 0;
            }
        }

        return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : 0;
    }

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}
