using System.Text;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;

namespace Bulwark.Engine.Images;

/// <summary>
/// Applies `docker import --change` instructions (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER,
/// VOLUME, WORKDIR; JSON or shell form) to a container config.
/// </summary>
public static class ImageChanges
{
    public static ContainerConfigDocument Apply(ContainerConfigDocument config, IReadOnlyList<string> changes)
    {
        foreach (var raw in changes)
        {
            string change = raw.Trim();
            if (change.Length == 0)
            {
                continue;
            }

            int sp = change.IndexOfAny([' ', '\t']);
            string instr = (sp < 0 ? change : change[..sp]).ToUpperInvariant();
            string rest = sp < 0 ? string.Empty : change[(sp + 1)..].Trim();
            if (rest.Length == 0)
            {
                throw EngineException.Invalid($"invalid change \"{raw}\": {instr} needs an argument");
            }

            config = instr switch
            {
                "CMD" => config with { Cmd = CommandForm(rest, raw) },
                "ENTRYPOINT" => config with { Entrypoint = CommandForm(rest, raw) },
                "ENV" => config with { Env = SetEnv(config.Env, KeyValues(rest, raw, allowSpaceForm: true)) },
                "LABEL" => config with { Labels = SetLabels(config.Labels, KeyValues(rest, raw, allowSpaceForm: false)) },
                "WORKDIR" => config with { WorkingDir = rest },
                "USER" => config with { User = rest },
                "STOPSIGNAL" => config with { StopSignal = rest },
                "EXPOSE" => config with { ExposedPorts = Expose(config.ExposedPorts, rest, raw) },
                "VOLUME" => config with { Volumes = Volume(config.Volumes, rest, raw) },
                _ => throw EngineException.Invalid(
                    $"invalid change \"{raw}\": {instr} is not supported (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)"),
            };
        }

        return config;
    }

    private static List<string> CommandForm(string rest, string raw)
    {
        if (rest.StartsWith('['))
        {
            return JsonArray(rest, raw);
        }

        return ["/bin/sh", "-c", rest];
    }

    private static List<string> JsonArray(string rest, string raw)
    {
        try
        {
            return JsonSerializer.Deserialize(rest, ImageJsonContext.Default.ListString)
                ?? throw EngineException.Invalid($"invalid change \"{raw}\": empty JSON array");
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"invalid change \"{raw}\": not a JSON array of strings ({ex.Message})");
        }
    }

    private static List<string> SetEnv(List<string>? env, List<KeyValuePair<string, string>> pairs)
    {
        var list = env is null ? new List<string>() : [.. env];
        foreach (var (k, v) in pairs)
        {
            list.RemoveAll(e => e == k || e.StartsWith(k + "=", StringComparison.Ordinal));
            list.Add(k + "=" + v);
        }

        return list;
    }

    private static Dictionary<string, string> SetLabels(Dictionary<string, string>? labels, List<KeyValuePair<string, string>> pairs)
    {
        var map = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels);
        foreach (var (k, v) in pairs)
        {
            map[k] = v;
        }

        return map;
    }

    private static Dictionary<string, EmptyObject> Expose(Dictionary<string, EmptyObject>? ports, string rest, string raw)
    {
        var map = ports is null ? new Dictionary<string, EmptyObject>() : new Dictionary<string, EmptyObject>(ports);
        foreach (var p in rest.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            string port = p;
            string proto = "tcp";
            int slash = p.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                port = p[..slash];
                proto = p[(slash + 1)..].ToLowerInvariant();
            }

            bool ok = proto is "tcp" or "udp" or "sctp" && port.Split('-') is { Length: 1 or 2 } range
                && range.All(x => ushort.TryParse(x, out ushort n) && n > 0);
            if (!ok)
            {
                throw EngineException.Invalid($"invalid change \"{raw}\": invalid port \"{p}\"");
            }

            map[port + "/" + proto] = new EmptyObject();
        }

        return map;
    }

    private static Dictionary<string, EmptyObject> Volume(Dictionary<string, EmptyObject>? volumes, string rest, string raw)
    {
        var map = volumes is null ? new Dictionary<string, EmptyObject>() : new Dictionary<string, EmptyObject>(volumes);
        var paths = rest.StartsWith('[') ? JsonArray(rest, raw) : [.. rest.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];
        foreach (var p in paths)
        {
            if (p.Length == 0)
            {
                throw EngineException.Invalid($"invalid change \"{raw}\": empty volume path");
            }

            map[p] = new EmptyObject();
        }

        return map;
    }

    /// <summary>Parses "k=v k2=\"v 2\"" (and, for ENV, the legacy "KEY value with spaces").</summary>
    private static List<KeyValuePair<string, string>> KeyValues(string rest, string raw, bool allowSpaceForm)
    {
        var words = Words(rest);
        if (words.Count == 0)
        {
            throw EngineException.Invalid($"invalid change \"{raw}\": missing key=value");
        }

        if (!words[0].Contains('=', StringComparison.Ordinal))
        {
            if (!allowSpaceForm || words.Count < 2)
            {
                throw EngineException.Invalid($"invalid change \"{raw}\": expected key=value");
            }

            int sp = rest.IndexOfAny([' ', '\t']);
            return [new(rest[..sp], rest[(sp + 1)..].Trim())];
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var w in words)
        {
            int eq = w.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw EngineException.Invalid($"invalid change \"{raw}\": \"{w}\" is not key=value");
            }

            pairs.Add(new(w[..eq], w[(eq + 1)..]));
        }

        return pairs;
    }

    private static List<string> Words(string s)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        char quote = '\0';
        bool any = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else if (c == '\\' && quote == '"' && i + 1 < s.Length)
                {
                    sb.Append(s[++i]);
                }
                else
                {
                    sb.Append(c);
                }

                continue;
            }

            if (c is '"' or '\'')
            {
                quote = c;
                any = true;
            }
            else if (c == '\\' && i + 1 < s.Length)
            {
                sb.Append(s[++i]);
                any = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (any || sb.Length > 0)
                {
                    words.Add(sb.ToString());
                    sb.Clear();
                    any = false;
                }
            }
            else
            {
                sb.Append(c);
                any = true;
            }
        }

        if (any || sb.Length > 0)
        {
            words.Add(sb.ToString());
        }

        return words;
    }
}
