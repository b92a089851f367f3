using System.Globalization;

namespace Bulwark.Audit.Vulnerabilities;

/// <summary>CVSS v3.0/v3.1 base score from a vector such as <c>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</c>.</summary>
public static class CvssV3
{
    /// <summary>The base score (0.0–10.0), or null when the vector is not a complete CVSS v3 base vector.</summary>
    public static double? BaseScore(string vector)
    {
        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        var parts = vector.Split('/');
        if (parts.Length == 0 || !parts[0].StartsWith("CVSS:3", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var part in parts.Skip(1))
        {
            int colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                metrics[part[..colon]] = part[(colon + 1)..];
            }
        }

        if (!metrics.TryGetValue("S", out var scope) || scope is not ("U" or "C"))
        {
            return null;
        }

        bool changed = scope == "C";
        double? av = Get(metrics, "AV") switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, "P" => 0.2, _ => null };
        double? ac = Get(metrics, "AC") switch { "L" => 0.77, "H" => 0.44, _ => null };
        double? pr = Get(metrics, "PR") switch { "N" => 0.85, "L" => changed ? 0.68 : 0.62, "H" => changed ? 0.5 : 0.27, _ => null };
        double? ui = Get(metrics, "UI") switch { "N" => 0.85, "R" => 0.62, _ => null };
        double? c = Impact(Get(metrics, "C"));
        double? i = Impact(Get(metrics, "I"));
        double? a = Impact(Get(metrics, "A"));
        if (av is null || ac is null || pr is null || ui is null || c is null || i is null || a is null)
        {
            return null;
        }

        double iss = 1 - ((1 - c.Value) * (1 - i.Value) * (1 - a.Value));
        double impact = changed ? (7.52 * (iss - 0.029)) - (3.25 * Math.Pow(iss - 0.02, 15)) : 6.42 * iss;
        double exploitability = 8.22 * av.Value * ac.Value * pr.Value * ui.Value;
        if (impact <= 0)
        {
            return 0;
        }

        return RoundUp(Math.Min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
    }

    private static string? Get(Dictionary<string, string> metrics, string key) => metrics.GetValueOrDefault(key);

    private static double? Impact(string? value) => value switch { "H" => 0.56, "L" => 0.22, "N" => 0, _ => null };

    /// <summary>CVSS v3.1's Roundup: the smallest one-decimal number not below the input (robust to float error).</summary>
    private static double RoundUp(double value)
    {
        long scaled = (long)Math.Round(value * 100000);
        return scaled % 10000 == 0 ? scaled / 100000.0 : (Math.Floor(scaled / 10000.0) + 1) / 10.0;
    }

    internal static string Format(double score) => score.ToString("0.0", CultureInfo.InvariantCulture);
}
