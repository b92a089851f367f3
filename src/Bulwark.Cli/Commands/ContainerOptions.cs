using System.CommandLine;
using Bulwark.Cli.Parsing;

namespace Bulwark.Cli.Commands;

/// <summary>The flags shared by <c>run</c> and <c>create</c>, named as docker names them.</summary>
internal sealed class ContainerOptions
{
    public Option<bool> Detach { get; } = new("--detach", "-d") { Description = "Run container in background and print container ID" };
    public Option<bool> Remove { get; } = new("--rm") { Description = "Automatically remove the container when it exits" };
    public Option<string> Name { get; } = new("--name") { Description = "Assign a name to the container" };
    public Option<string[]> Env { get; } = Many("--env", "-e", "Set environment variables (KEY=VALUE, or KEY to copy ours)");
    public Option<string[]> EnvFile { get; } = Many("--env-file", null, "Read in a file of environment variables");
    public Option<string> Workdir { get; } = new("--workdir", "-w") { Description = "Working directory inside the container" };
    public Option<string> User { get; } = new("--user", "-u") { Description = "Username or UID (format: <name|uid>[:<group|gid>])" };
    public Option<string[]> Volume { get; } = Many("--volume", "-v", "Bind mount a volume (SRC:DST[:ro])");
    public Option<string[]> Tmpfs { get; } = Many("--tmpfs", null, "Mount a tmpfs directory (PATH[:opts])");
    public Option<bool> ReadOnly { get; } = new("--read-only") { Description = "Mount the container's root filesystem as read only" };
    public Option<string> Memory { get; } = new("--memory", "-m") { Description = "Memory limit (e.g. 64m)" };
    public Option<string> MemorySwap { get; } = new("--memory-swap") { Description = "Swap limit equal to memory plus swap: '-1' for unlimited" };
    public Option<string> MemoryReservation { get; } = new("--memory-reservation") { Description = "Memory soft limit" };
    public Option<string> Cpus { get; } = new("--cpus") { Description = "Number of CPUs (e.g. 0.5)" };
    public Option<long> CpuShares { get; } = new("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
    public Option<string> CpusetCpus { get; } = new("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
    public Option<string> CpusetMems { get; } = new("--cpuset-mems") { Description = "MEMs in which to allow execution (0-3, 0,1)" };
    public Option<long?> PidsLimit { get; } = new("--pids-limit") { Description = "Tune container pids limit (set -1 for unlimited)" };
    public Option<string[]> CapAdd { get; } = Many("--cap-add", null, "Add Linux capabilities");
    public Option<string[]> CapDrop { get; } = Many("--cap-drop", null, "Drop Linux capabilities");
    public Option<string[]> SecurityOpt { get; } = Many("--security-opt", null, "Security Options");
    public Option<string> Network { get; } = new("--network", "--net") { Description = "Connect a container to a network (none|host)" };
    public Option<string[]> NetworkAlias { get; } = Many("--network-alias", null, "Add network-scoped alias for the container");
    public Option<string> Ip { get; } = new("--ip") { Description = "IPv4 address (e.g., 172.30.100.104)" };
    public Option<string> Ip6 { get; } = new("--ip6") { Description = "IPv6 address (e.g., 2001:db8::33)" };
    public Option<string> MacAddress { get; } = new("--mac-address") { Description = "Container MAC address (e.g., 92:d0:c6:0a:29:33)" };
    public Option<string[]> Link { get; } = Many("--link", null, "Add link to another container (NAME[:ALIAS]; user networks)");
    public Option<string[]> Publish { get; } = Many("--publish", "-p", "Publish a container's port to the host ([hostip:][hostport:]containerport[/tcp|udp]; host address default 127.0.0.1)");
    public Option<bool> PublishAll { get; } = new("--publish-all", "-P") { Description = "Publish all exposed ports to kernel-chosen host ports" };
    public Option<string[]> Expose { get; } = Many("--expose", null, "Expose a port or a range of ports");
    public Option<bool> Privileged { get; } = new("--privileged") { Description = "Give extended privileges to this container" };
    public Option<string> Hostname { get; } = new("--hostname") { Description = "Container host name" };
    public Option<bool> Interactive { get; } = new("--interactive", "-i") { Description = "Keep STDIN open even if not attached" };
    public Option<bool> Tty { get; } = new("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
    public Option<string[]> Label { get; } = Many("--label", "-l", "Set meta data on a container");
    public Option<string> Entrypoint { get; } = new("--entrypoint") { Description = "Overwrite the default ENTRYPOINT of the image" };
    public Option<string[]> Ulimit { get; } = Many("--ulimit", null, "Ulimit options (name=soft[:hard])");
    public Option<bool> Init { get; } = new("--init") { Description = "Run an init inside the container that forwards signals and reaps processes" };
    public Option<string> LogDriver { get; } = new("--log-driver") { Description = "Logging driver for the container" };
    public Option<string[]> LogOpt { get; } = Many("--log-opt", null, "Log driver options (max-size=10m, max-file=3)");
    public Option<string> Userns { get; } = new("--userns") { Description = "User namespace to use" };
    public Option<string> StopSignal { get; } = new("--stop-signal") { Description = "Signal to stop the container" };
    public Option<int?> StopTimeout { get; } = new("--stop-timeout") { Description = "Timeout (in seconds) to stop a container" };
    public Option<string> ShmSize { get; } = new("--shm-size") { Description = "Size of /dev/shm" };
    public Option<int> OomScoreAdj { get; } = new("--oom-score-adj") { Description = "Tune host's OOM preferences (-1000 to 1000)" };
    public Option<bool> OomKillDisable { get; } = new("--oom-kill-disable") { Description = "Disable OOM Killer" };
    public Option<string[]> Sysctl { get; } = Many("--sysctl", null, "Sysctl options (key=value)");
    public Option<string[]> Device { get; } = Many("--device", null, "Add a host device to the container");
    public Option<string[]> DeviceCgroupRule { get; } = Many("--device-cgroup-rule", null, "Add a rule to the cgroup allowed devices list");
    public Option<string[]> VolumesFrom { get; } = Many("--volumes-from", null, "Mount volumes from the specified container(s)");
    public Option<string> Restart { get; } = new("--restart") { Description = "Restart policy to apply when a container exits" };
    public Option<string> Pid { get; } = new("--pid") { Description = "PID namespace to use" };
    public Option<string> Ipc { get; } = new("--ipc") { Description = "IPC mode to use" };
    public Option<string> Uts { get; } = new("--uts") { Description = "UTS namespace to use" };
    public Option<string> Runtime { get; } = new("--runtime") { Description = "Runtime to use for this container" };
    public Option<string[]> GroupAdd { get; } = Many("--group-add", null, "Add additional groups to join");
    public Option<string[]> Secret { get; } = Many("--secret", null, "Deliver a secret at /run/secrets (NAME[@VERSION][,target=FILE][,uid=N][,gid=N][,mode=0444])");

    public Argument<string> Image { get; } = new("IMAGE") { Description = "Image to run" };
    public Argument<string[]> Command { get; } = new("COMMAND") { Description = "Command and arguments (everything after IMAGE)", Arity = ArgumentArity.ZeroOrMore };

    public void AddTo(Command command, bool includeDetach)
    {
        if (includeDetach)
        {
            command.Options.Add(Detach);
        }

        Option[] all =
        [
            Remove, Name, Env, EnvFile, Workdir, User, Volume, Tmpfs, ReadOnly, Memory, MemorySwap, MemoryReservation, Cpus,
            CpuShares, CpusetCpus, CpusetMems, PidsLimit, CapAdd, CapDrop, SecurityOpt, Network, NetworkAlias, Ip, Ip6, MacAddress, Link, Publish, PublishAll, Expose, Privileged, Hostname,
            Interactive, Tty, Label, Entrypoint, Ulimit, Init, LogDriver, LogOpt, Userns, StopSignal, StopTimeout, ShmSize,
            OomScoreAdj, OomKillDisable, Sysctl, Device, DeviceCgroupRule, VolumesFrom, Restart, Pid, Ipc, Uts, Runtime, GroupAdd, Secret,
        ];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }

        command.Arguments.Add(Image);
        command.Arguments.Add(Command);
    }

    public ContainerFlags Read(ParseResult result) => new()
    {
        Image = result.GetValue(Image) ?? "",
        Command = result.GetValue(Command) ?? [],
        Detach = result.GetValue(Detach),
        Remove = result.GetValue(Remove),
        Name = result.GetValue(Name),
        Env = result.GetValue(Env) ?? [],
        EnvFiles = result.GetValue(EnvFile) ?? [],
        WorkingDir = result.GetValue(Workdir),
        User = result.GetValue(User),
        Volumes = result.GetValue(Volume) ?? [],
        Tmpfs = result.GetValue(Tmpfs) ?? [],
        ReadOnly = result.GetValue(ReadOnly),
        Memory = result.GetValue(Memory),
        MemorySwap = result.GetValue(MemorySwap),
        MemoryReservation = result.GetValue(MemoryReservation),
        Cpus = result.GetValue(Cpus),
        CpuShares = result.GetValue(CpuShares),
        CpusetCpus = result.GetValue(CpusetCpus),
        CpusetMems = result.GetValue(CpusetMems),
        PidsLimit = result.GetValue(PidsLimit),
        CapAdd = result.GetValue(CapAdd) ?? [],
        CapDrop = result.GetValue(CapDrop) ?? [],
        SecurityOpt = result.GetValue(SecurityOpt) ?? [],
        Network = result.GetValue(Network),
        NetworkAliases = result.GetValue(NetworkAlias) ?? [],
        Ip = result.GetValue(Ip),
        Ip6 = result.GetValue(Ip6),
        MacAddress = result.GetValue(MacAddress),
        Links = result.GetValue(Link) ?? [],
        Publish = result.GetValue(Publish) ?? [],
        PublishAll = result.GetValue(PublishAll),
        Expose = result.GetValue(Expose) ?? [],
        Privileged = result.GetValue(Privileged),
        Hostname = result.GetValue(Hostname),
        Interactive = result.GetValue(Interactive),
        Tty = result.GetValue(Tty),
        Labels = result.GetValue(Label) ?? [],
        Entrypoint = result.GetResult(Entrypoint) is null ? null : result.GetValue(Entrypoint) ?? "",
        Ulimits = result.GetValue(Ulimit) ?? [],
        Init = result.GetValue(Init),
        LogDriver = result.GetValue(LogDriver),
        LogOpts = result.GetValue(LogOpt) ?? [],
        Userns = result.GetValue(Userns),
        StopSignal = result.GetValue(StopSignal),
        StopTimeout = result.GetValue(StopTimeout),
        ShmSize = result.GetValue(ShmSize),
        OomScoreAdj = result.GetValue(OomScoreAdj),
        OomKillDisable = result.GetValue(OomKillDisable),
        Sysctls = result.GetValue(Sysctl) ?? [],
        Devices = result.GetValue(Device) ?? [],
        DeviceCgroupRules = result.GetValue(DeviceCgroupRule) ?? [],
        VolumesFrom = result.GetValue(VolumesFrom) ?? [],
        Restart = result.GetValue(Restart),
        Pid = result.GetValue(Pid),
        Ipc = result.GetValue(Ipc),
        Uts = result.GetValue(Uts),
        Runtime = result.GetValue(Runtime),
        GroupAdd = result.GetValue(GroupAdd) ?? [],
        Secrets = result.GetValue(Secret) ?? [],
    };

    private static Option<string[]> Many(string name, string? alias, string description)
    {
        var option = alias is null ? new Option<string[]>(name) : new Option<string[]>(name, alias);
        option.Description = description;
        option.Arity = ArgumentArity.OneOrMore;
        option.AllowMultipleArgumentsPerToken = false;
        return option;
    }
}
