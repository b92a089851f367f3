using System.Text.Json;

namespace Bulwark.Audit.Bench;

/// <summary>
/// The daemon behind the socket (found with SO_PEERCRED): its executable name, its command-line flags and its
/// configuration file (bulwarkd's <c>--config</c>, dockerd's <c>--config-file</c> or <c>/etc/docker/daemon.json</c>).
/// A setting is looked up in the flags first, then in the file, as the daemons themselves do.
/// </summary>
public sealed class DaemonProcess(int pid, string executable, IReadOnlyList<string> arguments, string? configPath, JsonElement? config)
{
    public int Pid { get; } = pid;

    public string Executable { get; } = executable;

    public IReadOnlyList<string> Arguments { get; } = arguments;

    public string? ConfigPath { get; } = configPath;

    public JsonElement? Config { get; } = config;

    public bool IsDockerd => Path.GetFileName(Executable) == "dockerd";

    /// <summary>Every value given for a flag (<c>--x v</c>, <c>--x=v</c>; a bare boolean flag gives "true").</summary>
    public IReadOnlyList<string> Flag(params string[] names)
    {
        var values = new List<string>();
        for (int i = 0; i < Arguments.Count; i++)
        {
            foreach (var name in names)
            {
                if (Arguments[i] == name)
                {
                    bool hasValue = i + 1 < Arguments.Count && !Arguments[i + 1].StartsWith('-');
                    values.Add(hasValue ? Arguments[++i] : "true");
                }
                else if (Arguments[i].StartsWith(name + "=", StringComparison.Ordinal))
                {
                    values.Add(Arguments[i][(name.Length + 1)..]);
                }
            }
        }

        return values;
    }

    /// <summary>A top-level key of the configuration file, if present.</summary>
    public JsonElement? Setting(string key) =>
        Config is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty(key, out var v) ? v : null;

    /// <summary>A boolean from the flag (last wins) or else the file; null when neither sets it.</summary>
    public bool? Bool(string flag, string key)
    {
        if (Flag(flag) is { Count: > 0 } values)
        {
            return !string.Equals(values[^1], "false", StringComparison.OrdinalIgnoreCase);
        }

        return Setting(key) is { } v && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
    }

    /// <summary>A string from the flag or else the file.</summary>
    public string? Text(string[] flags, string key) =>
        Flag(flags) is { Count: > 0 } values ? values[^1] : Setting(key) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public string Describe() => $"{Path.GetFileName(Executable)} (pid {Pid}{(ConfigPath is null ? "" : ", config " + ConfigPath)})";
}
