using System.Runtime.InteropServices;

namespace Bulwark.Native;

/// <summary>A failed syscall: the errno, the call and the path it was about.</summary>
public sealed class ErrnoException : IOException
{
    public ErrnoException(int errno, string call, string path)
        : base($"{call} {path}: {Describe(errno)} (errno {errno})")
    {
        Errno = errno;
        Call = call;
        Path = path;
    }

    public int Errno { get; }

    public string Call { get; }

    public string Path { get; }

    private static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
