namespace Bulwark.Audit.Vulnerabilities;

/// <summary>Severity names as they appear in OSV data, CLI flags and reports.</summary>
public static class SeverityNames
{
    public static string ToText(Severity severity) => severity switch
    {
        Severity.Low => "LOW",
        Severity.Medium => "MEDIUM",
        Severity.High => "HIGH",
        Severity.Critical => "CRITICAL",
        _ => "UNKNOWN",
    };

    /// <summary>
    /// Reads a severity word: LOW/MEDIUM/MODERATE/HIGH/CRITICAL/UNKNOWN (any case), and Debian's urgencies
    /// (<c>low</c>, <c>medium</c>, <c>high</c>, <c>unimportant</c>, with or without a trailing <c>*</c> or <c>**</c>).
    /// </summary>
    public static Severity? Parse(string? text)
    {
        string t = (text ?? "").Trim().TrimEnd('*').ToUpperInvariant();
        return t switch
        {
            "CRITICAL" => Severity.Critical,
            "HIGH" or "IMPORTANT" => Severity.High,
            "MEDIUM" or "MODERATE" => Severity.Medium,
            "LOW" or "UNIMPORTANT" or "NEGLIGIBLE" => Severity.Low,
            "UNKNOWN" or "NOT YET ASSIGNED" => Severity.Unknown,
            _ => null,
        };
    }

    /// <summary>CVSS v3 qualitative rating of a base score.</summary>
    public static Severity FromScore(double score) => score switch
    {
        >= 9.0 => Severity.Critical,
        >= 7.0 => Severity.High,
        >= 4.0 => Severity.Medium,
        > 0 => Severity.Low,
        _ => Severity.Unknown,
    };
}
