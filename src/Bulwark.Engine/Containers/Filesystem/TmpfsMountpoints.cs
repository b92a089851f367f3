using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Containers.Filesystem;

/// <summary>
/// The mode a tmpfs mount shows. runc gives a tmpfs mounted over an existing directory that directory's mode, whatever
/// the mount's <c>mode=</c> says; a fresh tmpfs is 1777. So that <c>--tmpfs /tmp</c> is 1777 (the kernel's and Docker's
/// default) and <c>mode=</c> is honoured on any image, the mountpoint in the container's rootfs is given the wanted mode
/// at create (a change in the container's own layer, hidden under the mount).
/// </summary>
internal static class TmpfsMountpoints
{
    public const uint DefaultMode = 0x3FF; // 01777: rwx for all, sticky

    /// <summary>Sets each existing tmpfs mountpoint directory under <paramref name="rootfs"/> to the mode its mount asks for.</summary>
    public static void Prepare(string rootfs, IReadOnlyDictionary<string, string> tmpfs)
    {
        if (tmpfs.Count == 0)
        {
            return;
        }
        using var fs = new RootedFileSystem(rootfs);
        foreach (var (destination, options) in tmpfs)
        {
            var st = fs.Lstat(destination);
            if (st is { } s && (s.Mode & Interop.SIfMt) == Interop.SIfDir)
            {
                uint mode = ModeOf(options);
                if ((s.Mode & 0xFFF) != mode)
                {
                    fs.Chmod(destination, mode);
                }
            }
        }
    }

    /// <summary>The mode= of a tmpfs option string (octal, as mount(8) reads it), or 1777.</summary>
    public static uint ModeOf(string options)
    {
        foreach (string o in options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (o.StartsWith("mode=", StringComparison.Ordinal))
            {
                string octal = o[5..];
                uint mode = 0;
                if (octal.Length is 0 or > 4 || !octal.All(c => c is >= '0' and <= '7'))
                {
                    throw EngineException.Invalid($"invalid tmpfs option \"{o}\": the mode must be octal (e.g. mode=1777)");
                }
                foreach (char c in octal)
                {
                    mode = (mode * 8) + (uint)(c - '0');
                }
                return mode;
            }
        }
        return DefaultMode;
    }
}
