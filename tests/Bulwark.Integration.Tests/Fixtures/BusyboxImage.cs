using System.Diagnostics;

namespace Bulwark.Integration.Tests.Fixtures;

/// <summary>Builds a tiny rootfs tarball from Debian's static busybox (/bin/busybox from busybox-static).</summary>
public static class BusyboxImage
{
    public static string BuildRootfsTar(string workDir)
    {
        string rootfs = Path.Combine(workDir, "rootfs");
        foreach (string d in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "root", "data" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, d));
        }
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0x3FF | UnixFileMode.StickyBit);
        string busybox = File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
        File.Copy(busybox, Path.Combine(rootfs, "bin/busybox"), overwrite: true);
        var list = Process.Start(new ProcessStartInfo(busybox, "--list") { RedirectStandardOutput = true })!;
        string applets = list.StandardOutput.ReadToEnd();
        list.WaitForExit();
        foreach (string applet in applets.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (applet != "busybox")
            {
                File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
            }
        }
        File.WriteAllText(Path.Combine(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        string tar = Path.Combine(workDir, "busybox-rootfs.tar");
        var p = Process.Start("tar", ["-C", rootfs, "-cf", tar, "."])!;
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("tar failed building the busybox rootfs");
        }
        return tar;
    }
}
