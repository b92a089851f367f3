using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Containers;

/// <summary>Signal names ("TERM", "SIGTERM", "RTMIN+3") and numbers to numbers, as Docker accepts them.</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    public static int Parse(string signal)
    {
        string s = signal.Trim();
        if (int.TryParse(s, out int n))
        {
            return n is > 0 and <= 64 ? n : throw EngineException.Invalid("Invalid signal: " + signal);
        }
        if (s.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
        {
            s = s[3..];
        }
        if (ByName.TryGetValue(s, out n))
        {
            return n;
        }
        if (s.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase))
        {
            int off = s.Length > 5 && int.TryParse(s[5..], out int o) ? o : 0;
            return 34 + off;
        }
        if (s.StartsWith("RTMAX", StringComparison.OrdinalIgnoreCase))
        {
            int off = s.Length > 5 && int.TryParse(s[5..], out int o) ? o : 0;
            return 64 + off;
        }
        throw EngineException.Invalid("Invalid signal: " + signal);
    }
}
