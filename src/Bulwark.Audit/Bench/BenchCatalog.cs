namespace Bulwark.Audit.Bench;

/// <summary>
/// The CIS Docker Benchmark v1.6/v1.7 controls Bulwark evaluates (titles paraphrased). Controls that need auditd
/// rules (1.1.3–1.1.18), files of a particular init system (3.1–3.14, 3.19–3.24) or swarm (section 7) are not evaluated.
/// </summary>
public static class BenchCatalog
{
    public static IReadOnlyList<BenchControl> All { get; } =
    [
        new("1.1.1", "Ensure a separate partition for containers has been created", 1),
        new("1.1.2", "Ensure only trusted users are allowed to control the daemon", 1),
        new("1.2.1", "Ensure the container host has been hardened", 1),
        new("1.2.2", "Ensure that the version of the engine is up to date", 1),
        new("2.1", "Run the daemon as a non-root user, if possible", 1),
        new("2.2", "Ensure network traffic is restricted between containers on the default bridge", 1),
        new("2.3", "Ensure the logging level is set to 'info'", 1),
        new("2.4", "Ensure the daemon is allowed to make changes to iptables", 1),
        new("2.5", "Ensure insecure registries are not used", 1),
        new("2.6", "Ensure aufs storage driver is not used", 1),
        new("2.7", "Ensure TLS authentication for the daemon is configured when it listens on TCP", 1),
        new("2.8", "Ensure the default ulimit is configured appropriately", 2),
        new("2.9", "Enable user namespace support", 2),
        new("2.10", "Ensure the default cgroup usage has been confirmed", 2),
        new("2.12", "Ensure that authorization for client commands is enabled", 2),
        new("2.13", "Ensure centralized and remote logging is configured", 2),
        new("2.14", "Ensure containers are restricted from acquiring new privileges", 1),
        new("2.15", "Ensure live restore is enabled", 1),
        new("2.16", "Ensure userland proxy is disabled", 1),
        new("2.17", "Ensure that a daemon-wide custom seccomp profile is applied if appropriate", 2),
        new("2.18", "Ensure that experimental features are not implemented in production", 1),
        new("3.15", "Ensure that the engine socket file ownership is set to root", 1),
        new("3.16", "Ensure that the engine socket file permissions are set to 660 or more restrictively", 1),
        new("3.17", "Ensure that the daemon.json file ownership is set to root:root", 2),
        new("3.18", "Ensure that daemon.json file permissions are set to 644 or more restrictive", 2),
        new("4.1", "Ensure that a user for the container has been created", 1),
        new("4.5", "Ensure Content trust is enabled", 2),
        new("4.6", "Ensure that HEALTHCHECK instructions have been added to container images", 1),
        new("5.1", "Ensure swarm mode is not enabled / containers are inspected", 1),
        new("5.2", "Ensure that, if applicable, an AppArmor profile is enabled", 1),
        new("5.3", "Ensure that, if applicable, SELinux security options are set", 2),
        new("5.4", "Ensure that Linux kernel capabilities are restricted within containers", 1),
        new("5.5", "Ensure that privileged containers are not used", 1),
        new("5.6", "Ensure sensitive host system directories are not mounted on containers", 1),
        new("5.8", "Ensure privileged ports are not mapped within containers", 1),
        new("5.9", "Ensure that only needed ports are open on the container", 1),
        new("5.10", "Ensure that the host's network namespace is not shared", 1),
        new("5.11", "Ensure that the memory usage for containers is limited", 1),
        new("5.12", "Ensure that CPU priority is set appropriately on containers", 1),
        new("5.13", "Ensure that the container's root filesystem is mounted as read only", 1),
        new("5.14", "Ensure that incoming container traffic is bound to a specific host interface", 1),
        new("5.15", "Ensure that the 'on-failure' container restart policy is set to '5'", 1),
        new("5.16", "Ensure that the host's process namespace is not shared", 1),
        new("5.17", "Ensure that the host's IPC namespace is not shared", 1),
        new("5.18", "Ensure that host devices are not directly exposed to containers", 1),
        new("5.19", "Ensure that the default ulimit is overwritten at runtime if needed", 1),
        new("5.20", "Ensure mount propagation mode is not set to shared", 1),
        new("5.21", "Ensure that the host's UTS namespace is not shared", 1),
        new("5.22", "Ensure the default seccomp profile is not disabled", 1),
        new("5.25", "Ensure that cgroup usage is confirmed", 1),
        new("5.26", "Ensure that the container is restricted from acquiring additional privileges", 1),
        new("5.27", "Ensure that container health is checked at runtime", 1),
        new("5.29", "Ensure that the PIDs cgroup limit is used", 1),
        new("5.31", "Ensure that the host's user namespaces are not shared", 1),
        new("5.32", "Ensure that the engine socket is not mounted inside any containers", 1),
        new("6.1", "Ensure that image sprawl is avoided", 1),
        new("6.2", "Ensure that container sprawl is avoided", 1),
    ];

    private static readonly Dictionary<string, BenchControl> ById = All.ToDictionary(c => c.Id, StringComparer.Ordinal);

    public static BenchControl Get(string id) => ById[id];
}
