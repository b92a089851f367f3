using System.Text.Json;

namespace Bulwark.Daemon.Hosting;

/// <summary>bulwarkd's settings: command-line flags over daemon.json (Docker-style keys) over defaults.</summary>
internal sealed record DaemonOptions
{
    public string DataRoot { get; init; } = "/var/lib/bulwark";
    public string ExecRoot { get; init; } = "/run/bulwark";
    public const string DefaultSocketPath = "/run/bulwark/bulwark.sock";
    /// <summary>Every -H / daemon.json "hosts" address: unix sockets, and TCP ports served only with mutual TLS.</summary>
    public IReadOnlyList<ApiHost> Hosts { get; init; } = [new ApiHost(ApiHost.Unix, DefaultSocketPath)];
    /// <summary>The first unix socket (containers must never see it), or null when bulwarkd serves TCP only.</summary>
    public string? SocketPath => Hosts.FirstOrDefault(h => h.IsUnix)?.Address;
    public TlsSettings Tls { get; init; } = new();
    /// <summary>daemon.json "authorization": bindings of identities to roles; null = every caller is admin (as Docker).</summary>
    public Access.AuthorizationPolicy? Authorization { get; init; }
    /// <summary>daemon.json "audit-log": false turns the audit log off (default on).</summary>
    public bool AuditLog { get; init; } = true;
    /// <summary>daemon.json "api-limits": head and idle timeouts, head size and open-connection caps.</summary>
    public Http.ConnectionLimits Limits { get; init; } = new();
    public string Group { get; init; } = "bulwark";
    public string? ConfigFile { get; init; }
    public string LogLevel { get; init; } = "info";
    public string? Runtime { get; init; }
    public string? MonitorPath { get; init; }
    public long LogMaxSize { get; init; } = 10 * 1024 * 1024;
    public int LogMaxFile { get; init; } = 3;
    public string DaemonId { get; init; } = "";
    /// <summary>daemon.json "userns-remap": "bulwark" (default) remaps container root to the bulwark user's subordinate ids; "host" disables.</summary>
    public string UsernsRemap { get; init; } = Engine.Security.UserNamespaces.UsernsRemap.DefaultUser;
    /// <summary>daemon.json "idmapped-mounts": false makes shifted copies of layers per range, as on a kernel without idmapped mounts.</summary>
    public bool IdmappedMounts { get; init; } = true;
    /// <summary>daemon.json "userns-ranges": "auto" (a range per container when the remap user's subordinate ids hold
    /// more than one, else shared), "per-container" (refuse to start without room), or "shared" (Docker's userns-remap).</summary>
    public string UsernsRanges { get; init; } = "auto";
    /// <summary>daemon.json "policy": what containers may ask for (safe defaults).</summary>
    public Engine.Security.Policy.DaemonPolicy Policy { get; init; } = new();
    /// <summary>daemon.json "insecure-registries": hosts or CIDRs reached over plain HTTP (loopback always is).</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];
    /// <summary>daemon.json "content-trust": Docker EE's trust pinning, enforced by the daemon (disabled by default).</summary>
    public Engine.Trust.ContentTrustOptions ContentTrust { get; init; } = new();

    /// <summary>daemon.json "ip": the host address of published ports that name none (default 127.0.0.1, not Docker's 0.0.0.0).</summary>
    public System.Net.IPAddress DefaultPublishAddress { get; init; } = System.Net.IPAddress.Loopback;

    /// <summary>daemon.json "userland-proxy" / --userland-proxy: false sends local connections to published TCP ports
    /// straight to the container over a port link instead of through the daemon (default true).</summary>
    public bool UserlandProxy { get; init; } = true;

    private static readonly HashSet<string> KnownConfigKeys =
        [
            "data-root", "exec-root", "hosts", "group", "log-level", "default-runtime", "log-driver", "log-opts", "monitor-path", "userns-remap",
            "policy", "insecure-registries", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "authorization", "audit-log", "api-limits", "content-trust",
            "idmapped-mounts", "userns-ranges", "ip", "userland-proxy",
        ];

    public const string Usage =
        """
        Usage: bulwarkd [OPTIONS]

        A secure-by-default container engine speaking the Docker Engine API.

        Options:
              --config string       Daemon configuration file (default none; Docker-style daemon.json keys)
              --data-root string    Root directory of persistent state (default "/var/lib/bulwark")
              --exec-root string    Root directory of runtime state (default "/run/bulwark")
          -G, --group string        Group owning the API socket (default "bulwark")
          -H, --host list           Address to listen on, repeatable: unix:///path, or tcp://host:port with --tlsverify
                                    (default "unix:///run/bulwark/bulwark.sock"); plain TCP is refused
              --tlsverify           Serve TCP with mutual TLS: clients need a certificate signed by --tlscacert
              --tlscacert string    CA certificate (PEM) that client certificates must chain to
              --tlscert string      Server certificate (PEM)
              --tlskey string       Server private key (PEM)
          -l, --log-level string    debug|info|warn|error (default "info")
              --runtime string      OCI runtime: runc or crun (default: automatic)
              --monitor-path string Path of bulwark-monitor (default: next to bulwarkd)
              --userland-proxy      Published ports through the daemon's forwarders (default true); --userland-proxy=false
                                    sends local TCP connections straight to the container over a port link
              --userns-remap string User for container root's id mapping, or "host" to disable (default "bulwark")
          -h, --help                Print usage
        """;

    /// <summary>Parses flags, then the config file they name; throws <see cref="ArgumentException"/> with a clear message.</summary>
    public static DaemonOptions Parse(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var hosts = new List<ApiHost>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string name;
            string? value = null;
            int eq = a.IndexOf('=', StringComparison.Ordinal);
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = a[..eq];
                value = a[(eq + 1)..];
            }
            else
            {
                name = a;
            }
            name = name switch
            {
                "-H" => "--host",
                "-G" => "--group",
                "-l" => "--log-level",
                "-h" => "--help",
                _ => name,
            };
            if (name is "--help" or "--tlsverify" or "--tls" or "--userland-proxy")
            {
                flags[name] = value ?? "true";
                continue;
            }
            if (name is not ("--config" or "--data-root" or "--exec-root" or "--group" or "--host" or "--log-level" or "--runtime" or "--monitor-path"
                or "--userns-remap" or "--tlscacert" or "--tlscert" or "--tlskey"))
            {
                throw new ArgumentException($"unknown flag: {a}");
            }
            if (value is null)
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"flag needs an argument: {a}");
                }
                value = args[++i];
            }
            if (name == "--host")
            {
                hosts.Add(ApiHost.Parse(value));
                continue;
            }
            flags[name] = value;
        }
        if (flags.ContainsKey("--help"))
        {
            throw new HelpRequestedException();
        }

        var o = new DaemonOptions();
        if (flags.TryGetValue("--config", out string? config))
        {
            o = ApplyConfig(o, config);
        }
        if (flags.TryGetValue("--data-root", out string? dr))
        {
            o = o with { DataRoot = dr };
        }
        if (flags.TryGetValue("--exec-root", out string? er))
        {
            o = o with { ExecRoot = er };
        }
        if (hosts.Count > 0)
        {
            o = o with { Hosts = hosts };
        }
        if (flags.TryGetValue("--tlsverify", out string? tv))
        {
            o = o with { Tls = o.Tls with { Verify = ParseBool(tv, "--tlsverify") } };
        }
        if (flags.TryGetValue("--tlscacert", out string? ca))
        {
            o = o with { Tls = o.Tls with { CaCertFile = ca } };
        }
        if (flags.TryGetValue("--tlscert", out string? cert))
        {
            o = o with { Tls = o.Tls with { CertFile = cert } };
        }
        if (flags.TryGetValue("--tlskey", out string? key))
        {
            o = o with { Tls = o.Tls with { KeyFile = key } };
        }
        if (flags.TryGetValue("--group", out string? g))
        {
            o = o with { Group = g };
        }
        if (flags.TryGetValue("--log-level", out string? ll))
        {
            o = o with { LogLevel = ll };
        }
        if (flags.TryGetValue("--runtime", out string? rt))
        {
            o = o with { Runtime = rt };
        }
        if (flags.TryGetValue("--monitor-path", out string? mp))
        {
            o = o with { MonitorPath = mp };
        }
        if (flags.TryGetValue("--userland-proxy", out string? up))
        {
            o = o with { UserlandProxy = ParseBool(up, "--userland-proxy") };
        }
        if (flags.TryGetValue("--userns-remap", out string? remap))
        {
            o = o with { UsernsRemap = remap };
        }
        return o.Validate();
    }

    private DaemonOptions Validate()
    {
        if (!Path.IsPathRooted(DataRoot) || !Path.IsPathRooted(ExecRoot))
        {
            throw new ArgumentException("--data-root and --exec-root must be absolute paths");
        }
        if (ExecRoot.Length > Engine.EngineOptions.MaxExecRootLength)
        {
            throw new ArgumentException(
                $"--exec-root {ExecRoot} is too long ({ExecRoot.Length} > {Engine.EngineOptions.MaxExecRootLength} characters): " +
                "monitor socket paths under it must fit a unix socket address");
        }
        if (Runtime is not (null or "runc" or "crun"))
        {
            throw new ArgumentException($"unknown runtime \"{Runtime}\": use runc or crun");
        }
        if (LogLevel is not ("debug" or "info" or "warn" or "error"))
        {
            throw new ArgumentException($"invalid log level \"{LogLevel}\": use debug, info, warn or error");
        }
        if (UsernsRanges is not ("auto" or "per-container" or "shared"))
        {
            throw new ArgumentException($"invalid userns-ranges \"{UsernsRanges}\": use auto, per-container or shared");
        }
        if (Hosts.Count == 0)
        {
            throw new ArgumentException("no host to listen on: give -H unix:///path or -H tcp://host:port");
        }
        Tls.ValidateFor(Hosts);
        return this;
    }

    private static bool ParseBool(string value, string name) => value switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new ArgumentException($"invalid value \"{value}\" for {name}: use true or false"),
    };

    private static DaemonOptions ApplyConfig(DaemonOptions o, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"unable to read configuration file {path}: {ex.Message}");
        }
        using (doc)
        {
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!KnownConfigKeys.Contains(p.Name))
                {
                    throw new ArgumentException($"configuration file {path}: unknown key \"{p.Name}\"");
                }
                o = p.Name switch
                {
                    "data-root" => o with { DataRoot = p.Value.GetString()! },
                    "exec-root" => o with { ExecRoot = p.Value.GetString()! },
                    "hosts" => o with { Hosts = ReadStrings(p.Value, p.Name, path).Select(ApiHost.Parse).ToList() },
                    "tls" => o,
                    "tlsverify" => o with { Tls = o.Tls with { Verify = p.Value.ValueKind == JsonValueKind.True } },
                    "tlscacert" => o with { Tls = o.Tls with { CaCertFile = p.Value.GetString() } },
                    "tlscert" => o with { Tls = o.Tls with { CertFile = p.Value.GetString() } },
                    "tlskey" => o with { Tls = o.Tls with { KeyFile = p.Value.GetString() } },
                    "authorization" => o with { Authorization = InConfig(path, () => Access.AuthorizationPolicy.Read(p.Value)) },
                    "audit-log" => o with { AuditLog = p.Value.ValueKind != JsonValueKind.False },
                    "api-limits" => o with { Limits = InConfig(path, () => ApiLimitsReader.Read(p.Value)) },
                    "group" => o with { Group = p.Value.GetString()! },
                    "log-level" => o with { LogLevel = p.Value.GetString()! },
                    "default-runtime" => o with { Runtime = p.Value.GetString() },
                    "monitor-path" => o with { MonitorPath = p.Value.GetString() },
                    "userns-remap" => o with { UsernsRemap = p.Value.GetString() ?? "" },
                    "idmapped-mounts" => o with { IdmappedMounts = ReadBool(p.Value, p.Name, path) },
                    "userland-proxy" => o with { UserlandProxy = ReadBool(p.Value, p.Name, path) },
                    "userns-ranges" => o with { UsernsRanges = p.Value.GetString() ?? "" },
                    "policy" => o with { Policy = ReadPolicy(p.Value, path) },
                    "log-driver" => p.Value.GetString() == "json-file" ? o : throw new ArgumentException($"configuration file {path}: only the json-file log driver is supported"),
                    "log-opts" => ApplyLogOpts(o, p.Value, path),
                    "insecure-registries" => o with { InsecureRegistries = ReadStrings(p.Value, p.Name, path) },
                    "content-trust" => o with { ContentTrust = ReadContentTrust(p.Value, path) },
                    "ip" => o with
                    {
                        DefaultPublishAddress = System.Net.IPAddress.TryParse(p.Value.GetString(), out var ip)
                            ? ip
                            : throw new ArgumentException($"configuration file {path}: \"ip\" must be an IP address (the default host address of published ports)"),
                    },
                    _ => o,
                };
            }
        }
        return o;
    }

    private static T InConfig<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"configuration file {path}: {ex.Message}");
        }
    }

    private static Engine.Security.Policy.DaemonPolicy ReadPolicy(JsonElement element, string path)
    {
        try
        {
            return Engine.Security.Policy.DaemonPolicyReader.Read(element);
        }
        catch (Engine.Errors.EngineException ex)
        {
            throw new ArgumentException($"configuration file {path}: {ex.Message}");
        }
    }

    private static Engine.Trust.ContentTrustOptions ReadContentTrust(JsonElement element, string path)
    {
        try
        {
            return Engine.Trust.ContentTrustOptionsReader.Read(element);
        }
        catch (Engine.Errors.EngineException ex)
        {
            throw new ArgumentException($"configuration file {path}: {ex.Message}");
        }
    }

    private static bool ReadBool(JsonElement value, string key, string path) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ArgumentException($"configuration file {path}: \"{key}\" must be true or false"),
    };

    private static List<string> ReadStrings(JsonElement value, string key, string path)
    {
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new ArgumentException($"configuration file {path}: \"{key}\" must be an array of strings");
        }
        return value.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static DaemonOptions ApplyLogOpts(DaemonOptions o, JsonElement opts, string path)
    {
        foreach (var p in opts.EnumerateObject())
        {
            o = p.Name switch
            {
                "max-size" => o with { LogMaxSize = Api.Containers.ContainerCreateMapper.ParseSize(p.Value.GetString()!, "max-size") },
                "max-file" => o with { LogMaxFile = int.Parse(p.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"configuration file {path}: unknown log-opts key \"{p.Name}\""),
            };
        }
        return o;
    }
}

internal sealed class HelpRequestedException : Exception;
