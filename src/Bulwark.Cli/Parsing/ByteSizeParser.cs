using System.Globalization;

namespace Bulwark.Cli.Parsing;

/// <summary>Docker's RAM sizes: a number with an optional binary unit b, k, m, g, t, p (also kb, KiB, ...).</summary>
internal static class ByteSizeParser
{
    /// <summary>Parses <c>64m</c> = 67108864; throws <see cref="FormatException"/> on bad input.</summary>
    public static long Parse(string text)
    {
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        if (i == 0 || !decimal.TryParse(s.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            throw new FormatException($"invalid size: '{text}'");
        }

        var unit = s[i..].TrimStart(' ').ToLowerInvariant();
        long multiplier = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => 1L << 10,
            "m" or "mb" or "mib" => 1L << 20,
            "g" or "gb" or "gib" => 1L << 30,
            "t" or "tb" or "tib" => 1L << 40,
            "p" or "pb" or "pib" => 1L << 50,
            _ => throw new FormatException($"invalid size: '{text}'"),
        };
        return (long)(number * multiplier);
    }
}
