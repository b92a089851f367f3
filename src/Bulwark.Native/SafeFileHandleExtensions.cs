using Microsoft.Win32.SafeHandles;

namespace Bulwark.Native;

/// <summary>The raw descriptor of a handle, for the *at() calls.</summary>
public static class SafeFileHandleExtensions
{
    public static int Fd(this SafeFileHandle handle) => (int)handle.DangerousGetHandle();
}
