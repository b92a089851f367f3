using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int UtimensatRaw(int dirfd, string path, Timespec* times, int flags);

    /// <summary>utimensat(2) setting access and modification time to the same instant.</summary>
    public static unsafe int Utimensat(int dirfd, string path, DateTimeOffset time, int flags)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var ts = new Timespec { Seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem), Nanoseconds = rem * 100 };
        if (ts.Nanoseconds < 0)
        {
            ts.Seconds -= 1;
            ts.Nanoseconds += 1_000_000_000;
        }

        Timespec* times = stackalloc Timespec[2];
        times[0] = ts;
        times[1] = ts;
        return UtimensatRaw(dirfd, path, times, flags);
    }
}
