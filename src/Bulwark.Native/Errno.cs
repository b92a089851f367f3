using System.Runtime.InteropServices;

namespace Bulwark.Native;

/// <summary>The one place where a failed syscall becomes an exception that names the call and the path.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EPIPE = 32;
    public const int ERANGE = 34;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;
    public const int EDQUOT = 122;

    /// <summary>The errno of the last P/Invoke made with SetLastError.</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>Throws <see cref="ErrnoException"/> when <paramref name="result"/> is negative.</summary>
    public static void ThrowIfFailed(long result, string call, string path)
    {
        if (result < 0)
        {
            throw new ErrnoException(Last, call, path);
        }
    }
}
