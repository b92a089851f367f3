using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Native;

/// <summary>
/// A process's network namespace held open by descriptor (/proc/&lt;pid&gt;/ns/net): it stays the same namespace even if
/// the pid is reused, and entering it with setns(2) moves only the calling thread.
/// </summary>
public static class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Opens the network namespace of <paramref name="pid"/>.</summary>
    public static SafeFileHandle Open(int pid) =>
        File.OpenHandle($"/proc/{pid}/ns/net", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);

    /// <summary>Moves the calling thread into the namespace <paramref name="ns"/> refers to (setns(2), CLONE_NEWNET).</summary>
    public static void Enter(SafeFileHandle ns)
    {
        bool added = false;
        ns.DangerousAddRef(ref added);
        try
        {
            if (Interop.Setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
            {
                throw new ErrnoException(Marshal.GetLastPInvokeError(), "setns(CLONE_NEWNET)", "");
            }
        }
        finally
        {
            if (added)
            {
                ns.DangerousRelease();
            }
        }
    }
}
