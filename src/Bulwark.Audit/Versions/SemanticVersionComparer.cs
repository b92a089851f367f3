using Semver;

namespace Bulwark.Audit.Versions;

/// <summary>
/// SemVer 2.0 precedence (Go modules with their <c>v</c> prefix and pseudo-versions, crates.io, OSV <c>SEMVER</c>
/// ranges). Missing minor or patch numbers count as zero; text that is not a version compares after every version.
/// </summary>
public sealed class SemanticVersionComparer : IVersionComparer
{
    public static SemanticVersionComparer Instance { get; } = new();

    public int Compare(string left, string right)
    {
        var a = TryParse(left);
        var b = TryParse(right);
        if (a is null || b is null)
        {
            return a is null && b is null ? string.CompareOrdinal(left, right) : a is null ? 1 : -1;
        }

        return a.ComparePrecedenceTo(b);
    }

    internal static SemVersion? TryParse(string version)
    {
        var v = version.Trim();
        if (v.StartsWith('v') || v.StartsWith('V'))
        {
            v = v[1..];
        }

        if (v.StartsWith("go", StringComparison.Ordinal))
        {
            v = v[2..];
        }

        return SemVersion.TryParse(v, SemVersionStyles.Any, out var parsed) ? parsed : null;
    }
}
