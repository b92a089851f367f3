namespace Bulwark.Audit.Versions;

/// <summary>
/// rpm's ordering of <c>[epoch:]version[-release]</c>: the epoch numerically (absent = 0), then version and release
/// segment by segment as rpmvercmp does: runs of digits compare numerically (leading zeros ignored) and beat runs of
/// letters, letters compare as strings, other characters only separate; <c>~</c> sorts before everything (even the end),
/// <c>^</c> after the end but before any further segment. A release missing on one side does not decide.
/// </summary>
public sealed class RpmVersionComparer : IVersionComparer
{
    public static readonly RpmVersionComparer Instance = new();

    public int Compare(string left, string right)
    {
        var (le, lv, lr) = Split(left);
        var (re, rv, rr) = Split(right);
        int c = CompareNumeric(le, re);
        if (c != 0)
        {
            return c;
        }

        c = VerCmp(lv, rv);
        if (c != 0 || lr is null || rr is null)
        {
            return c;
        }

        return VerCmp(lr, rr);
    }

    /// <summary>rpmvercmp: -1, 0 or 1.</summary>
    public static int VerCmp(string a, string b)
    {
        if (a == b)
        {
            return 0;
        }

        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && IsSeparator(a[i]))
            {
                i++;
            }

            while (j < b.Length && IsSeparator(b[j]))
            {
                j++;
            }

            char ca = i < a.Length ? a[i] : '\0';
            char cb = j < b.Length ? b[j] : '\0';
            if (ca == '~' || cb == '~')
            {
                if (ca != '~')
                {
                    return 1;
                }

                if (cb != '~')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            if (ca == '^' || cb == '^')
            {
                if (ca == '\0')
                {
                    return -1;
                }

                if (cb == '\0')
                {
                    return 1;
                }

                if (ca != '^')
                {
                    return 1;
                }

                if (cb != '^')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            if (ca == '\0' || cb == '\0')
            {
                break;
            }

            bool numeric = char.IsAsciiDigit(ca);
            int si = i, sj = j;
            while (i < a.Length && (numeric ? char.IsAsciiDigit(a[i]) : char.IsAsciiLetter(a[i])))
            {
                i++;
            }

            while (j < b.Length && (numeric ? char.IsAsciiDigit(b[j]) : char.IsAsciiLetter(b[j])))
            {
                j++;
            }

            if (j == sj)
            {
                return numeric ? 1 : -1; // a number is newer than letters
            }

            string sa = a[si..i], sb = b[sj..j];
            int c = numeric ? CompareNumeric(sa, sb) : Math.Sign(string.CompareOrdinal(sa, sb));
            if (c != 0)
            {
                return c;
            }
        }

        bool restA = i < a.Length, restB = j < b.Length;
        return !restA && !restB ? 0 : restA ? 1 : -1;
    }

    private static bool IsSeparator(char c) => !char.IsAsciiLetterOrDigit(c) && c != '~' && c != '^';

    private static int CompareNumeric(string a, string b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        return a.Length != b.Length ? Math.Sign(a.Length - b.Length) : Math.Sign(string.CompareOrdinal(a, b));
    }

    private static (string Epoch, string Version, string? Release) Split(string evr)
    {
        string epoch = "0";
        int colon = evr.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && evr[..colon].All(char.IsAsciiDigit))
        {
            epoch = colon == 0 ? "0" : evr[..colon];
            evr = evr[(colon + 1)..];
        }

        int dash = evr.LastIndexOf('-');
        return dash < 0 ? (epoch, evr, null) : (epoch, evr[..dash], evr[(dash + 1)..]);
    }
}
