namespace Bulwark.Engine.Security;

/// <summary>Linux capability names ("CAP_CHOWN") and their bit numbers.</summary>
public static class CapabilityNames
{
    /// <summary>All capabilities known to Bulwark, indexed by bit number.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Bulwark's default allowlist (Docker's default minus NET_RAW, MKNOD, SETFCAP, AUDIT_WRITE, SYS_CHROOT, SETPCAP).</summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE",
    ];

    /// <summary>"chown", "CAP_CHOWN", "Cap_Chown" → "CAP_CHOWN"; "all" → "ALL". Does not validate.</summary>
    public static string Normalize(string name)
    {
        var upper = name.Trim().ToUpperInvariant();
        if (upper == "ALL")
        {
            return upper;
        }

        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    /// <summary>Bit number of a normalized name, or -1.</summary>
    public static int BitOf(string normalizedName)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i] == normalizedName)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Names of the bits set in a capability mask (as in /proc/self/status CapBnd).</summary>
    public static IReadOnlyList<string> FromMask(ulong mask)
    {
        var names = new List<string>();
        for (var i = 0; i < All.Count && i < 64; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                names.Add(All[i]);
            }
        }

        return names;
    }

    /// <summary>The mask with the bits of the given normalized names.</summary>
    public static ulong ToMask(IEnumerable<string> names)
    {
        ulong mask = 0;
        foreach (var name in names)
        {
            var bit = BitOf(Normalize(name));
            if (bit >= 0)
            {
                mask |= 1UL << bit;
            }
        }

        return mask;
    }
}
