using System.Runtime.InteropServices;

namespace Bulwark.Native;

/// <summary>kill(2) for processes the engine owns (a timed-out health probe).</summary>
public static class ProcessSignals
{
    public static void Kill(int pid, int signal)
    {
        if (Interop.Kill(pid, signal) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != 3)
            {
                throw new IOException($"kill {pid}: errno {errno}");
            }
        }
    }
}
