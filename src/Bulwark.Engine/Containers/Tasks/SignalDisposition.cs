using System.Globalization;

namespace Bulwark.Engine.Containers.Tasks;

/// <summary>
/// What a container's init does with a signal, from <c>/proc/&lt;pid&gt;/status</c>. The init of a PID namespace gets
/// from outside only SIGKILL, SIGSTOP and the signals it has a handler for, so only those can end it.
/// </summary>
internal static class SignalDisposition
{
    /// <summary>True when the process has a handler for <paramref name="signal"/> (its SigCgt bit is set).</summary>
    public static bool Catches(int pid, int signal)
    {
        if (pid <= 0 || signal is < 1 or > 64)
        {
            return false;
        }
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("SigCgt:", StringComparison.Ordinal)
                    && ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong caught))
                {
                    return (caught & (1UL << (signal - 1))) != 0;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Exited meanwhile.
        }
        return false;
    }
}
