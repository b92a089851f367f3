using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api;

/// <summary>Docker's time parameters: Unix seconds with an optional fraction ("1795376184.123456789").</summary>
internal static class ApiTime
{
    public static DateTimeOffset? ParseUnix(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        string[] parts = value.Split('.');
        if (!long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long sec))
        {
            throw EngineException.Invalid("invalid timestamp: " + value);
        }
        long ns = parts.Length > 1 && long.TryParse(parts[1].PadRight(9, '0')[..9], NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
        return DateTimeOffset.FromUnixTimeSeconds(sec).AddTicks(ns / 100);
    }
}
