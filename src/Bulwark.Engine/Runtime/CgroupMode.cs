namespace Bulwark.Engine.Runtime;

/// <summary>How cgroups are mounted on the host.</summary>
public enum CgroupMode
{
    /// <summary>cgroup v1 controllers only.</summary>
    Legacy,
    /// <summary>v1 controllers plus a cgroup2 tree (usually at /sys/fs/cgroup/unified).</summary>
    Hybrid,
    /// <summary>cgroup v2 at /sys/fs/cgroup.</summary>
    Unified,
}
