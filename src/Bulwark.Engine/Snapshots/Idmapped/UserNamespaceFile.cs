using System.Diagnostics;
using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Snapshots.Idmapped;

/// <summary>
/// An open user-namespace file carrying a container's mapping, which mount_setattr(MOUNT_ATTR_IDMAP) takes. The daemon
/// is multithreaded and cannot unshare a user namespace itself, so a short-lived child does (<c>unshare --user</c>),
/// reports that it is inside, and the daemon writes its uid_map and gid_map, opens /proc/&lt;pid&gt;/ns/user and lets
/// it exit; the namespace lives on as long as the file is open. <see cref="UserNamespaceCache"/> keeps one per range.
/// </summary>
public static class UserNamespaceFile
{
    public static SafeFileHandle Create(IdMapping map)
    {
        var psi = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--user", "--", "sh", "-c", "echo inside; read -r _" })
        {
            psi.ArgumentList.Add(a);
        }

        using var child = Process.Start(psi) ?? throw new EngineException(ErrorKind.Internal, "user namespace: could not start unshare");
        try
        {
            string? line = child.StandardOutput.ReadLine();
            if (line != "inside")
            {
                string err = child.StandardError.ReadToEnd();
                throw new EngineException(ErrorKind.Internal, $"user namespace for {map.Describe()}: unshare --user failed: {err.Trim()}");
            }

            string proc = "/proc/" + child.Id.ToString(CultureInfo.InvariantCulture);
            File.WriteAllText(proc + "/uid_map", Line(map.HostUid, map.Size));
            File.WriteAllText(proc + "/gid_map", Line(map.HostGid, map.Size));
            int fd = Interop.Openat(Interop.AtFdCwd, proc + "/ns/user", Interop.ORdOnly | Interop.OCloExec, 0);
            Errno.ThrowIfFailed(fd, "open", proc + "/ns/user");
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        finally
        {
            child.StandardInput.Close(); // its `read` returns and it exits
            child.WaitForExit();
        }
    }

    private static string Line(uint host, uint size) => string.Create(CultureInfo.InvariantCulture, $"0 {host} {size}\n");
}
