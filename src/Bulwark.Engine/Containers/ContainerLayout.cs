namespace Bulwark.Engine.Containers;

/// <summary>Where a container's files are: its directory in the data root, its monitor state in the exec root, its cgroup.</summary>
internal sealed class ContainerLayout(EngineOptions options, IContainerRecordStore store)
{
    public string RuntimeRoot { get; } = Path.Combine(options.ExecRoot, "runtime");

    /// <summary>exec-root/c: one state directory per container monitor.</summary>
    public string StateRoot { get; } = Path.Combine(options.ExecRoot, "c");

    /// <summary>exec-root/e: one state directory per exec monitor.</summary>
    public string ExecStateRoot { get; } = Path.Combine(options.ExecRoot, "e");

    public string CgroupParent => options.CgroupParent;

    public string DirectoryOf(string id) => store.DirectoryOf(id);

    public string StateDir(string id) => Path.Combine(StateRoot, id);

    public string ExecStateDir(string execId) => Path.Combine(ExecStateRoot, execId);

    public string LogPath(string id) => Path.Combine(store.DirectoryOf(id), id + "-json.log");

    public string HostsPath(string id) => Path.Combine(store.DirectoryOf(id), "hosts");

    public string ResolvConfPath(string id) => Path.Combine(store.DirectoryOf(id), "resolv.conf");

    /// <summary>The createRuntime hook script that wires the container's namespace (rewritten at every start).</summary>
    public string NetworkSetupScriptPath(string id) => Path.Combine(store.DirectoryOf(id), "network-setup.sh");

    public string CgroupsPath(string id) => "/" + options.CgroupParent + "/" + id;

    /// <summary>The memory cgroup the monitor watches for OOM kills (v1 memory hierarchy, else the unified one).</summary>
    public string CgroupV1MemoryDir(string id)
    {
        string v1 = Path.Combine("/sys/fs/cgroup/memory", options.CgroupParent, id);
        return Directory.Exists("/sys/fs/cgroup/memory") ? v1 : Path.Combine("/sys/fs/cgroup", options.CgroupParent, id);
    }

    /// <summary>This daemon's cgroup parent in every mounted hierarchy.</summary>
    public IEnumerable<string> CgroupParentDirs()
    {
        if (!Directory.Exists("/sys/fs/cgroup"))
        {
            return [];
        }
        return Directory.EnumerateDirectories("/sys/fs/cgroup")
            .Select(h => Path.Combine(h, options.CgroupParent))
            .Append(Path.Combine("/sys/fs/cgroup", options.CgroupParent))
            .Distinct(StringComparer.Ordinal);
    }
}
