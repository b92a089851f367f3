using System.Globalization;

namespace Bulwark.Audit.Versions;

/// <summary>
/// apk-tools' ordering of <c>1.2.3[letter][_suffix[N]…][-rN]</c>: dotted numbers (a later component with a leading
/// zero compares as a fraction, i.e. as text), then the letter (none first), then suffixes
/// (<c>_alpha &lt; _beta &lt; _pre &lt; _rc &lt;</c> none <c>&lt; _cvs &lt; _svn &lt; _git &lt; _hg &lt; _p</c>), then the revision.
/// Versions that do not follow the grammar compare as text, after every valid one.
/// </summary>
public sealed class ApkVersionComparer : IVersionComparer
{
    private static readonly string[] Suffixes = ["alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"];
    private const int NoSuffixRank = 4;

    public static ApkVersionComparer Instance { get; } = new();

    public int Compare(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        if (a is null || b is null)
        {
            return a is null && b is null ? string.CompareOrdinal(left, right) : a is null ? 1 : -1;
        }

        int n = Math.Min(a.Numbers.Count, b.Numbers.Count);
        for (int i = 0; i < n; i++)
        {
            int c = CompareNumber(a.Numbers[i], b.Numbers[i], fractional: i > 0);
            if (c != 0)
            {
                return c;
            }
        }

        if (a.Numbers.Count != b.Numbers.Count)
        {
            return a.Numbers.Count.CompareTo(b.Numbers.Count);
        }

        if (a.Letter != b.Letter)
        {
            return a.Letter.CompareTo(b.Letter);
        }

        int s = Math.Min(a.Suffixes.Count, b.Suffixes.Count);
        for (int i = 0; i < s; i++)
        {
            int c = a.Suffixes[i].Rank.CompareTo(b.Suffixes[i].Rank);
            if (c == 0)
            {
                c = a.Suffixes[i].Number.CompareTo(b.Suffixes[i].Number);
            }

            if (c != 0)
            {
                return c;
            }
        }

        if (a.Suffixes.Count != b.Suffixes.Count)
        {
            // An extra pre-release suffix (_alpha … _rc) makes a version older, an extra post-release one newer.
            return a.Suffixes.Count > b.Suffixes.Count
                ? (a.Suffixes[s].Rank < NoSuffixRank ? -1 : 1)
                : (b.Suffixes[s].Rank < NoSuffixRank ? 1 : -1);
        }

        return a.Revision.CompareTo(b.Revision);
    }

    private static int CompareNumber(string a, string b, bool fractional)
    {
        if (fractional && (a.StartsWith('0') || b.StartsWith('0')))
        {
            return string.CompareOrdinal(a, b);
        }

        a = a.TrimStart('0');
        b = b.TrimStart('0');
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
    }

    private sealed record Parsed(List<string> Numbers, char Letter, List<(int Rank, long Number)> Suffixes, long Revision);

    private static Parsed? Parse(string version)
    {
        var v = version.Trim();
        int i = 0;
        var numbers = new List<string>();
        while (true)
        {
            int start = i;
            while (i < v.Length && char.IsAsciiDigit(v[i]))
            {
                i++;
            }

            if (i == start)
            {
                return null;
            }

            numbers.Add(v[start..i]);
            if (i < v.Length && v[i] == '.')
            {
                i++;
                continue;
            }

            break;
        }

        char letter = '\0';
        if (i < v.Length && char.IsAsciiLetterLower(v[i]))
        {
            letter = v[i++];
        }

        var suffixes = new List<(int, long)>();
        while (i < v.Length && v[i] == '_')
        {
            int start = ++i;
            while (i < v.Length && char.IsAsciiLetterLower(v[i]))
            {
                i++;
            }

            int rank = Array.IndexOf(Suffixes, v[start..i]);
            if (rank < 0 || rank == NoSuffixRank)
            {
                return null;
            }

            int digits = i;
            while (i < v.Length && char.IsAsciiDigit(v[i]))
            {
                i++;
            }

            suffixes.Add((rank, i > digits ? long.Parse(v.AsSpan(digits, i - digits), CultureInfo.InvariantCulture) : 0));
        }

        long revision = 0;
        if (i < v.Length)
        {
            if (!v.AsSpan(i).StartsWith("-r", StringComparison.Ordinal) || i + 2 >= v.Length
                || !long.TryParse(v.AsSpan(i + 2), NumberStyles.None, CultureInfo.InvariantCulture, out revision))
            {
                return null;
            }
        }

        return new Parsed(numbers, letter, suffixes, revision);
    }
}
