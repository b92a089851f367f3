using System.Globalization;

namespace Bulwark.Engine.Security;

/// <summary>What the host lets the daemon hand out: its capability bounding set and the active LSMs.</summary>
public sealed record HostSecurity(IReadOnlyList<string> BoundingCapabilities, IReadOnlySet<string> ActiveLsms)
{
    public bool AppArmorEnabled => ActiveLsms.Contains("apparmor");

    public bool SelinuxEnabled => ActiveLsms.Contains("selinux");

    /// <summary>Reads /proc/self/status (CapBnd) and /sys/kernel/security/lsm for the current process.</summary>
    public static HostSecurity ReadCurrent()
    {
        ulong bounding = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
            {
                bounding = ulong.Parse(line["CapBnd:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                break;
            }
        }

        var lsms = new HashSet<string>(StringComparer.Ordinal);
        const string lsmFile = "/sys/kernel/security/lsm";
        if (File.Exists(lsmFile))
        {
            foreach (var name in File.ReadAllText(lsmFile).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                lsms.Add(name);
            }
        }
        else if (File.Exists("/sys/module/apparmor/parameters/enabled")
                 && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y")
        {
            lsms.Add("apparmor");
        }

        return new HostSecurity(CapabilityNames.FromMask(bounding), lsms);
    }
}
