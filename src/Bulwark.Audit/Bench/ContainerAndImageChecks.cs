using System.Text.Json;

namespace Bulwark.Audit.Bench;

/// <summary>CIS sections 4–6: images, each running container's runtime settings (from inspect), and sprawl.</summary>
internal static class ContainerAndImageChecks
{
    private static readonly string[] SensitiveDirs = ["/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"];

    private static readonly HashSet<string> DockerDefaultCaps = new(StringComparer.Ordinal)
    {
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    };

    public static IEnumerable<BenchFinding> Run(BenchInputs input)
    {
        string trust = input.Environment?.GetValueOrDefault("DOCKER_CONTENT_TRUST") ?? "";
        yield return F("4.5", trust == "1" ? BenchResult.Pass : BenchResult.Warn, "client", trust == "1" ? "DOCKER_CONTENT_TRUST=1" : "DOCKER_CONTENT_TRUST is not 1 in this environment");
        foreach (var image in input.Images)
        {
            var tags = Json.Strings(image, "RepoTags");
            string name = tags.Count > 0 ? tags[0] : Json.Str(image, "Id");
            bool health = Json.Get(image, "Config", "Healthcheck") is not null;
            yield return F("4.6", health ? BenchResult.Pass : BenchResult.Warn, name, health ? "image defines a HEALTHCHECK" : "image has no HEALTHCHECK");
        }

        if (input.Containers.Count == 0)
        {
            yield return F("5.1", BenchResult.Info, "containers", "no running containers: the per-container checks of section 5 have nothing to inspect");
        }

        foreach (var c in input.Containers)
        {
            foreach (var finding in Container(c))
            {
                yield return finding;
            }
        }

        long all = Json.Num(input.Info, "Containers");
        yield return F("6.1", BenchResult.Info, "images", $"{input.Images.Count} images, {input.Containers.Select(c => Json.Str(c, "Image")).Distinct(StringComparer.Ordinal).Count()} used by running containers");
        yield return F("6.2", BenchResult.Info, "containers", $"{all} containers, {input.Containers.Count} running");
    }

    private static IEnumerable<BenchFinding> Container(JsonElement c)
    {
        string name = Json.Name(c);
        string user = Json.Str(c, "Config", "User");
        bool root = user is "" or "0" or "root" || user.StartsWith("0:", StringComparison.Ordinal) || user.StartsWith("root:", StringComparison.Ordinal);
        yield return F("4.1", root ? BenchResult.Warn : BenchResult.Pass, name, root ? $"runs as root (User \"{user}\")" : "runs as " + user);

        string apparmor = Json.Str(c, "AppArmorProfile");
        yield return F("5.2", apparmor is "" or "unconfined" ? BenchResult.Warn : BenchResult.Pass, name, apparmor.Length == 0 ? "no AppArmor profile" : "AppArmor " + apparmor);
        var securityOpt = Json.Strings(c, "HostConfig", "SecurityOpt");
        bool selinux = securityOpt.Any(s => s.StartsWith("label", StringComparison.Ordinal));
        yield return F("5.3", selinux ? BenchResult.Pass : BenchResult.Warn, name, selinux ? "SELinux options set" : "no SELinux label options");

        var added = Json.Strings(c, "HostConfig", "CapAdd").Select(x => x.ToUpperInvariant().Replace("CAP_", "", StringComparison.Ordinal)).Where(x => !DockerDefaultCaps.Contains(x)).ToList();
        yield return F("5.4", added.Count == 0 ? BenchResult.Pass : BenchResult.Warn, name, added.Count == 0 ? "no capabilities beyond Docker's default set added" : "added: " + string.Join(", ", added));
        bool privileged = Json.Bool(c, "HostConfig", "Privileged");
        yield return F("5.5", privileged ? BenchResult.Warn : BenchResult.Pass, name, privileged ? "privileged" : "not privileged");

        var mounts = Json.Arr(c, "Mounts");
        var sensitive = mounts.Where(m => Json.Bool(m, "RW") && SensitiveDirs.Contains(Json.Str(m, "Source").TrimEnd('/') is { Length: > 0 } s ? s : "/", StringComparer.Ordinal)
            && Json.Str(m, "Type") == "bind").Select(m => Json.Str(m, "Source")).ToList();
        yield return F("5.6", sensitive.Count == 0 ? BenchResult.Pass : BenchResult.Warn, name, sensitive.Count == 0 ? "no sensitive host directory mounted read-write" : "rw: " + string.Join(", ", sensitive));

        var ports = Ports(c);
        var low = ports.Where(p => p.HostPort is > 0 and < 1025).ToList();
        yield return F("5.8", low.Count == 0 ? BenchResult.Pass : BenchResult.Warn, name, low.Count == 0 ? "no privileged host ports" : "host ports " + string.Join(", ", low.Select(p => p.HostPort)));
        yield return F("5.9", ports.Count == 0 ? BenchResult.Pass : BenchResult.Info, name, ports.Count == 0 ? "no published ports" : "published: " + string.Join(", ", ports.Select(p => $"{p.HostIp}:{p.HostPort}->{p.ContainerPort}")));
        string network = Json.Str(c, "HostConfig", "NetworkMode");
        yield return F("5.10", network == "host" ? BenchResult.Warn : BenchResult.Pass, name, "network mode " + (network.Length > 0 ? network : "default"));
        long memory = Json.Num(c, "HostConfig", "Memory");
        yield return F("5.11", memory > 0 ? BenchResult.Pass : BenchResult.Warn, name, memory > 0 ? $"memory limit {memory} bytes" : "no memory limit");
        long shares = Json.Num(c, "HostConfig", "CpuShares");
        long nano = Json.Num(c, "HostConfig", "NanoCpus");
        long quota = Json.Num(c, "HostConfig", "CpuQuota");
        yield return F("5.12", shares > 0 || nano > 0 || quota > 0 ? BenchResult.Pass : BenchResult.Warn, name, $"CpuShares {shares}, NanoCpus {nano}, CpuQuota {quota}");
        bool readOnly = Json.Bool(c, "HostConfig", "ReadonlyRootfs");
        yield return F("5.13", readOnly ? BenchResult.Pass : BenchResult.Warn, name, readOnly ? "read-only root filesystem" : "writable root filesystem");
        var wildcard = ports.Where(p => p.HostIp is "" or "0.0.0.0" or "::").ToList();
        yield return F("5.14", wildcard.Count == 0 ? BenchResult.Pass : BenchResult.Warn, name, wildcard.Count == 0 ? "no port bound to all interfaces" : "bound to all interfaces: " + string.Join(", ", wildcard.Select(p => p.HostPort)));
        string restart = Json.Str(c, "HostConfig", "RestartPolicy", "Name");
        long retries = Json.Num(c, "HostConfig", "RestartPolicy", "MaximumRetryCount");
        yield return F("5.15", restart == "on-failure" && retries > 5 ? BenchResult.Warn : BenchResult.Pass, name, $"restart policy {(restart.Length > 0 ? restart : "no")}, max retries {retries}");
        foreach (var (id, field) in new[] { ("5.16", "PidMode"), ("5.17", "IpcMode"), ("5.21", "UTSMode"), ("5.31", "UsernsMode") })
        {
            string mode = Json.Str(c, "HostConfig", field);
            yield return F(id, mode.Contains("host", StringComparison.Ordinal) ? BenchResult.Warn : BenchResult.Pass, name, $"{field} {(mode.Length > 0 ? mode : "private")}");
        }

        var devices = Json.Arr(c, "HostConfig", "Devices");
        yield return F("5.18", devices.Count == 0 ? BenchResult.Pass : BenchResult.Info, name, devices.Count == 0 ? "no host devices" : "devices: " + string.Join(", ", devices.Select(x => Json.Str(x, "PathOnHost"))));
        var ulimits = Json.Arr(c, "HostConfig", "Ulimits");
        yield return F("5.19", ulimits.Count == 0 ? BenchResult.Info : BenchResult.Pass, name, ulimits.Count == 0 ? "no per-container ulimits (daemon defaults apply)" : $"{ulimits.Count} ulimits set");
        var shared = mounts.Where(m => Json.Str(m, "Propagation").Contains("shared", StringComparison.Ordinal)).Select(m => Json.Str(m, "Destination")).ToList();
        yield return F("5.20", shared.Count == 0 ? BenchResult.Pass : BenchResult.Warn, name, shared.Count == 0 ? "no shared mount propagation" : "shared: " + string.Join(", ", shared));
        bool unconfined = securityOpt.Any(s => s.Replace(':', '=') == "seccomp=unconfined");
        yield return F("5.22", unconfined ? BenchResult.Warn : BenchResult.Pass, name, unconfined ? "seccomp=unconfined" : "seccomp profile applied");
        string parent = Json.Str(c, "HostConfig", "CgroupParent");
        yield return F("5.25", parent.Length == 0 ? BenchResult.Pass : BenchResult.Warn, name, parent.Length == 0 ? "default cgroup parent" : "cgroup parent " + parent);
        bool nnpOff = securityOpt.Any(s => s.Replace(':', '=') is "no-new-privileges=false");
        bool nnpOn = securityOpt.Any(s => s.Replace(':', '=') is "no-new-privileges" or "no-new-privileges=true");
        yield return F("5.26", nnpOn && !nnpOff ? BenchResult.Pass : BenchResult.Warn, name, nnpOn && !nnpOff ? "no-new-privileges in effect" : "no-new-privileges not set");
        string health = Json.Str(c, "State", "Health", "Status");
        yield return F("5.27", health.Length > 0 ? BenchResult.Pass : BenchResult.Warn, name, health.Length > 0 ? "health " + health : "no health check");
        long pids = Json.Num(c, "HostConfig", "PidsLimit");
        yield return F("5.29", pids > 0 ? BenchResult.Pass : BenchResult.Warn, name, pids > 0 ? $"pids limit {pids}" : "no pids limit");
        var socket = mounts.Where(m => Json.Str(m, "Source").EndsWith(".sock", StringComparison.Ordinal)).Select(m => Json.Str(m, "Source")).ToList();
        yield return F("5.32", socket.Count == 0 ? BenchResult.Pass : BenchResult.Warn, name, socket.Count == 0 ? "no engine socket mounted" : "socket mounted: " + string.Join(", ", socket));
    }

    private static List<(string HostIp, int HostPort, string ContainerPort)> Ports(JsonElement c)
    {
        var list = new List<(string, int, string)>();
        if (Json.Get(c, "HostConfig", "PortBindings") is { ValueKind: JsonValueKind.Object } bindings)
        {
            foreach (var port in bindings.EnumerateObject())
            {
                foreach (var b in port.Value.ValueKind == JsonValueKind.Array ? port.Value.EnumerateArray() : default)
                {
                    _ = int.TryParse(Json.Str(b, "HostPort"), System.Globalization.CultureInfo.InvariantCulture, out int hostPort);
                    list.Add((Json.Str(b, "HostIp"), hostPort, port.Name));
                }
            }
        }

        return list;
    }

    private static BenchFinding F(string id, BenchResult result, string target, string evidence) =>
        new(BenchCatalog.Get(id), result, target, evidence);
}
