using System.Runtime.InteropServices;

namespace Bulwark.Native;

/// <summary>File identity queries .NET does not expose (inode numbers, to notice a log file being rotated).</summary>
public static class FileStatus
{
    private const int AtFdCwd = -100;

    /// <summary>The inode number of <paramref name="path"/>, or 0 when it does not exist.</summary>
    public static ulong Inode(string path)
    {
        if (Interop.Fstatat(AtFdCwd, path, out Interop.Stat st, 0) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == 2 ? 0UL : throw new IOException($"stat {path}: errno {errno}");
        }
        return st.Ino;
    }

    /// <summary>The inode number of an open file (it stays readable after a rename or an unlink of its path).</summary>
    public static ulong Inode(Microsoft.Win32.SafeHandles.SafeFileHandle handle) => RootedFileSystem.Fstat(handle).Ino;

    /// <summary>Owner, group and permission bits of <paramref name="path"/> (following symlinks), or null when it does not exist.</summary>
    public static (uint Uid, uint Gid, uint Mode)? Ownership(string path)
    {
        if (Interop.Fstatat(AtFdCwd, path, out Interop.Stat st, 0) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == 2 ? null : throw new IOException($"stat {path}: errno {errno}");
        }

        return (st.Uid, st.Gid, st.Mode & 0xFFF);
    }
}
