using System.Globalization;

namespace Bulwark.Cli.Parsing;

/// <summary><c>--cpus 0.5</c> → <c>NanoCpus</c> 500000000; more than 9 decimals is "too precise" like docker.</summary>
internal static class CpuParser
{
    public static long ParseNanoCpus(string text)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus) || cpus < 0)
        {
            throw new FormatException($"failed to parse {text} as a rational number");
        }

        var nano = cpus * 1_000_000_000m;
        if (nano != decimal.Truncate(nano))
        {
            throw new FormatException("value is too precise");
        }

        return (long)nano;
    }
}
