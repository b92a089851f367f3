namespace Bulwark.Integration.Tests.Fixtures;

/// <summary>Leaves the host as the test found it: no mounts, no cgroups of ours.</summary>
public static class Cleanup
{
    public static void RemoveMountsUnder(string root)
    {
        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(l => l.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m.StartsWith(root + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length);
        foreach (string m in mounts)
        {
            ProcessRunner.RunAsync("umount", ["-l", m], timeout: TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        }
    }

    public static void RemoveCgroupsFor(string dataRoot)
    {
        string idFile = Path.Combine(dataRoot, "engine-id");
        if (!File.Exists(idFile))
        {
            return;
        }
        string parent = "bulwark-" + File.ReadAllText(idFile).Trim()[..12];
        foreach (string hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup"))
        {
            string dir = Path.Combine(hierarchy, parent);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (string child in Directory.EnumerateDirectories(dir))
            {
                TryRmdir(child);
            }
            TryRmdir(dir);
        }
    }

    /// <summary>Deletes the bridges of the networks recorded under the data root (bw-&lt;id[:12]&gt;), if any are left.</summary>
    public static void RemoveBridgesFor(string dataRoot)
    {
        string dir = Path.Combine(dataRoot, "networks");
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (string file in Directory.EnumerateFiles(dir, "*.json"))
        {
            string bridge = "bw-" + Path.GetFileNameWithoutExtension(file)[..12];
            if (Directory.Exists("/sys/class/net/" + bridge))
            {
                ProcessRunner.RunAsync("ip", ["link", "del", bridge], timeout: TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            }
            RemoveEgressRules(Path.GetFileNameWithoutExtension(file)[..12]);
        }
    }

    /// <summary>Deletes an egress network's chains and counters from nftables' table inet bulwark (if nft and they exist).</summary>
    public static void RemoveEgressRules(string id12)
    {
        if (!File.Exists("/usr/sbin/nft"))
        {
            return;
        }
        var script = new System.Text.StringBuilder("add table inet bulwark\n");
        foreach (string chain in new[] { "fwd_", "in_", "nat_" })
        {
            script.Append($"add chain inet bulwark {chain}{id12}\nflush chain inet bulwark {chain}{id12}\ndelete chain inet bulwark {chain}{id12}\n");
        }
        foreach (string counter in new[] { "allowed_", "dropped_" })
        {
            script.Append($"add counter inet bulwark {counter}{id12}\ndelete counter inet bulwark {counter}{id12}\n");
        }
        ProcessRunner.RunAsync("/usr/sbin/nft", ["-f", "-"], stdin: script.ToString(), timeout: TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
    }

    private static void TryRmdir(string dir)
    {
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
        }
    }
}
