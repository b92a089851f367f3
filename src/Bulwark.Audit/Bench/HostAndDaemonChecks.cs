namespace Bulwark.Audit.Bench;

/// <summary>CIS sections 1–3: the host, the daemon's configuration, and the daemon's files and socket.</summary>
internal static class HostAndDaemonChecks
{
    public static IEnumerable<BenchFinding> Run(BenchInputs input)
    {
        var info = input.Info;
        var d = input.Daemon;
        string daemon = d?.Describe() ?? "daemon";
        const string NoProcess = "the daemon process is not visible from this host (remote endpoint or no permission): its flags and config cannot be read";

        // 1.1.1 separate partition for the data root
        string root = Json.Str(info, "DockerRootDir");
        if (root.Length == 0 || input.MountPoints.Count == 0)
        {
            yield return F("1.1.1", BenchResult.Info, daemon, "data root not reported or mounts not readable");
        }
        else
        {
            // The mount that holds the data root (the last listed wins, as later mounts stack on top), compared by
            // device with "/": a bind of a directory onto itself (dockerd does this) is not a separate partition.
            var mount = input.MountPoints.LastOrDefault(m => root == m.Path || root.StartsWith(m.Path.TrimEnd('/') + "/", StringComparison.Ordinal)
                && !input.MountPoints.Any(o => o.Path.Length > m.Path.Length && (root == o.Path || root.StartsWith(o.Path.TrimEnd('/') + "/", StringComparison.Ordinal))));
            var slash = input.MountPoints.LastOrDefault(m => m.Path == "/");
            bool separate = mount is not null && mount.Path != "/" && (slash is null || mount.Device != slash.Device);
            yield return F("1.1.1", separate ? BenchResult.Pass : BenchResult.Warn, root,
                mount is null ? $"data root {root}: no mount found" : $"data root {root} lies on the mount at {mount.Path} (device {mount.Device}{(separate ? "" : ", the same as /")})");
        }

        // 1.1.2 who can reach the socket
        if (input.Socket is { } sock)
        {
            string members = sock.GroupMembers.Count == 0 ? "no members" : string.Join(", ", sock.GroupMembers);
            yield return F("1.1.2", BenchResult.Info, sock.Path, $"socket group {sock.GroupName ?? Json.Invariant(sock.Gid)}: {members}; review that each is trusted");
        }
        else
        {
            yield return F("1.1.2", BenchResult.Info, daemon, "socket not visible on this host");
        }

        yield return F("1.2.1", BenchResult.Note, "host", "manual: harden the host (patching, minimal services)");
        yield return F("1.2.2", BenchResult.Info, daemon, $"server version {Json.Str(input.Version, "Version")} (API {Json.Str(input.Version, "ApiVersion")}); check it is current");

        yield return F("2.1", BenchResult.Note, daemon, "manual: run the daemon rootless where possible");
        if (d is null)
        {
            foreach (var id in new[] { "2.2", "2.3", "2.4", "2.7", "2.8", "2.10", "2.12", "2.16" })
            {
                yield return F(id, BenchResult.Info, daemon, NoProcess);
            }
        }
        else
        {
            var icc = d.Bool("--icc", "icc");
            yield return d.IsDockerd || icc is not null
                ? F("2.2", icc == false ? BenchResult.Pass : BenchResult.Warn, daemon, icc == false ? "icc is false" : "icc not set to false: containers on the default bridge can reach each other")
                : F("2.2", BenchResult.Info, daemon, "this daemon has no icc setting; review which containers share a network");
            string level = d.Text(["--log-level", "-l"], "log-level") ?? "info";
            yield return F("2.3", level == "info" ? BenchResult.Pass : BenchResult.Warn, daemon, $"log level {level}");
            var iptables = d.Bool("--iptables", "iptables");
            yield return F("2.4", iptables == false ? BenchResult.Warn : BenchResult.Pass, daemon, iptables == false ? "iptables management disabled" : "iptables management not disabled");
            var hosts = d.Flag("-H", "--host").Concat(d.Setting("hosts") is { ValueKind: System.Text.Json.JsonValueKind.Array } h ? h.EnumerateArray().Select(x => x.GetString() ?? "") : []).ToList();
            var tcp = hosts.Where(x => x.StartsWith("tcp://", StringComparison.Ordinal)).ToList();
            bool verify = d.Bool("--tlsverify", "tlsverify") == true;
            yield return F("2.7", tcp.Count == 0 || verify ? BenchResult.Pass : BenchResult.Warn, daemon,
                tcp.Count == 0 ? "listens on local sockets only: " + (hosts.Count == 0 ? "default" : string.Join(", ", hosts)) : $"TCP {string.Join(", ", tcp)} with tlsverify={verify}");
            bool ulimits = d.Flag("--default-ulimit").Count > 0 || d.Setting("default-ulimits") is not null;
            yield return F("2.8", ulimits ? BenchResult.Pass : BenchResult.Info, daemon, ulimits ? "default ulimits configured" : "no default-ulimits configured");
            string? parent = d.Text(["--cgroup-parent"], "cgroup-parent");
            yield return F("2.10", parent is null ? BenchResult.Pass : BenchResult.Warn, daemon, parent is null ? "default cgroup parent" : "cgroup-parent " + parent);
            bool authz = d.Flag("--authorization-plugin").Count > 0 || d.Setting("authorization-plugins") is not null;
            yield return F("2.12", authz ? BenchResult.Pass : BenchResult.Info, daemon, authz ? "authorization plugin configured" : "no authorization plugin configured");
            var proxy = d.Bool("--userland-proxy", "userland-proxy");
            yield return proxy == false
                ? F("2.16", BenchResult.Pass, daemon, d.IsDockerd ? "userland-proxy false" : "userland-proxy false: local connections to published ports are redirected in the kernel")
                : d.IsDockerd
                    ? F("2.16", BenchResult.Warn, daemon, "userland-proxy enabled (dockerd's default)")
                    : F("2.16", BenchResult.Info, daemon, "userland-proxy on (bulwarkd's default): published ports are forwarded inside bulwarkd, no docker-proxy process; userland-proxy false redirects local connections in the kernel");
        }

        var insecure = Json.Strings(info, "RegistryConfig", "InsecureRegistryCIDRs").Where(c => c is not ("127.0.0.0/8" or "::1/128"))
            .Concat(Json.Get(info, "RegistryConfig", "IndexConfigs") is { ValueKind: System.Text.Json.JsonValueKind.Object } idx
                ? idx.EnumerateObject().Where(p => Json.Get(p.Value, "Secure") is { ValueKind: System.Text.Json.JsonValueKind.False }).Select(p => p.Name)
                : [])
            .Distinct(StringComparer.Ordinal).ToList();
        yield return F("2.5", insecure.Count == 0 ? BenchResult.Pass : BenchResult.Warn, daemon, insecure.Count == 0 ? "no insecure registries besides loopback" : "insecure: " + string.Join(", ", insecure));
        string driver = Json.Str(info, "Driver");
        yield return F("2.6", driver == "aufs" ? BenchResult.Warn : BenchResult.Pass, daemon, "storage driver " + (driver.Length > 0 ? driver : "not reported"));

        var security = Json.Strings(info, "SecurityOptions");
        var userns = security.FirstOrDefault(s => s.StartsWith("name=userns", StringComparison.Ordinal));
        yield return F("2.9", userns is not null ? BenchResult.Pass : BenchResult.Warn, daemon, userns ?? "SecurityOptions has no name=userns: container root is host root");
        string logging = Json.Str(info, "LoggingDriver");
        yield return F("2.13", logging.Length == 0 ? BenchResult.Info : logging is "json-file" or "local" ? BenchResult.Warn : BenchResult.Pass, daemon,
            logging.Length == 0 ? "logging driver not reported" : "logging driver " + logging);
        bool nnp = security.Any(s => s.StartsWith("name=no-new-privileges", StringComparison.Ordinal)) || d?.Bool("--no-new-privileges", "no-new-privileges") == true;
        yield return F("2.14", nnp ? BenchResult.Pass : BenchResult.Warn, daemon, nnp ? "no-new-privileges is the daemon default" : "no-new-privileges is not the daemon default");
        bool live = Json.Bool(info, "LiveRestoreEnabled");
        yield return F("2.15", live ? BenchResult.Pass : BenchResult.Warn, daemon, live ? "live restore enabled" : "LiveRestoreEnabled is not true");
        var seccomp = security.FirstOrDefault(s => s.StartsWith("name=seccomp", StringComparison.Ordinal));
        yield return F("2.17", seccomp is not null && !seccomp.Contains("unconfined", StringComparison.Ordinal) ? BenchResult.Pass : BenchResult.Warn, daemon,
            seccomp ?? "no seccomp profile reported");
        bool experimental = Json.Bool(input.Version, "Experimental");
        yield return F("2.18", experimental ? BenchResult.Warn : BenchResult.Pass, daemon, experimental ? "experimental features on" : "experimental features off");

        // Section 3: files and the socket.
        foreach (var file in input.ConfigFiles)
        {
            bool rootOwned = file.Uid == 0 && file.Gid == 0;
            yield return F("3.17", rootOwned ? BenchResult.Pass : BenchResult.Warn, file.Path, $"owner {file.Uid}:{file.Gid}");
            yield return F("3.18", (file.Mode & 0b000_011_011) == 0 && (file.Mode & 0b111_000_000) <= 0b110_000_000 ? BenchResult.Pass : BenchResult.Warn, file.Path,
                "mode " + Json.Octal(file.Mode));
        }

        if (input.Socket is { } socket)
        {
            yield return F("3.15", socket.Uid == 0 ? BenchResult.Pass : BenchResult.Warn, socket.Path, $"owner uid {socket.Uid}, group {socket.GroupName ?? Json.Invariant(socket.Gid)}");
            bool modeOk = (socket.Mode & 0b000_000_111) == 0 && (socket.Mode & 0b111_000_000) <= 0b110_000_000 && (socket.Mode & 0b000_111_000) <= 0b000_110_000;
            yield return F("3.16", modeOk ? BenchResult.Pass : BenchResult.Warn, socket.Path, "mode " + Json.Octal(socket.Mode) + (modeOk ? " (at most 660)" : " (more than 660)"));
        }
        else
        {
            yield return F("3.15", BenchResult.Info, daemon, "socket not visible on this host");
        }
    }

    private static BenchFinding F(string id, BenchResult result, string target, string evidence) =>
        new(BenchCatalog.Get(id), result, target, evidence);
}
