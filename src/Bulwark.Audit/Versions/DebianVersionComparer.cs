namespace Bulwark.Audit.Versions;

/// <summary>
/// dpkg's ordering: <c>[epoch:]upstream[-revision]</c>; the epoch compares as a number, upstream and revision with
/// dpkg's rule (runs of non-digits by character class, where <c>~</c> sorts before everything, even the end; then runs
/// of digits as numbers).
/// </summary>
public sealed class DebianVersionComparer : IVersionComparer
{
    public static DebianVersionComparer Instance { get; } = new();

    public int Compare(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        int c = a.Epoch.CompareTo(b.Epoch);
        if (c != 0)
        {
            return c;
        }

        c = CompareParts(a.Upstream, b.Upstream);
        return c != 0 ? c : CompareParts(a.Revision, b.Revision);
    }

    private static (long Epoch, string Upstream, string Revision) Parse(string version)
    {
        version = version.Trim();
        long epoch = 0;
        int colon = version.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && long.TryParse(version.AsSpan(0, colon), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out long e))
        {
            epoch = e;
            version = version[(colon + 1)..];
        }

        int dash = version.LastIndexOf('-');
        return dash >= 0 ? (epoch, version[..dash], version[(dash + 1)..]) : (epoch, version, "");
    }

    private static int Order(char c) => c switch
    {
        '~' => -1,
        >= '0' and <= '9' => 0,
        >= 'a' and <= 'z' or >= 'A' and <= 'Z' => c,
        _ => c + 256,
    };

    private static int CompareParts(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                int ac = i < a.Length ? Order(a[i]) : 0;
                int bc = j < b.Length ? Order(b[j]) : 0;
                if (ac != bc)
                {
                    return ac - bc;
                }

                i++;
                j++;
            }

            while (i < a.Length && a[i] == '0')
            {
                i++;
            }

            while (j < b.Length && b[j] == '0')
            {
                j++;
            }

            int firstDiff = 0;
            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (firstDiff == 0)
                {
                    firstDiff = a[i] - b[j];
                }

                i++;
                j++;
            }

            if (i < a.Length && char.IsAsciiDigit(a[i]))
            {
                return 1;
            }

            if (j < b.Length && char.IsAsciiDigit(b[j]))
            {
                return -1;
            }

            if (firstDiff != 0)
            {
                return firstDiff;
            }
        }

        return 0;
    }
}
