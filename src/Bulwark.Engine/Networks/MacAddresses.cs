using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks;

/// <summary>--mac-address values as an endpoint may use them.</summary>
public static class MacAddresses
{
    /// <summary>"02:42:ac:11:00:02" (any case, '-' or ':' separated) → lower case with colons; a multicast or all-zero
    /// address is refused (a container interface needs a unicast one).</summary>
    public static string Parse(string text)
    {
        string[] parts = text.Split(':', '-');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !byte.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _)))
        {
            throw EngineException.Invalid($"invalid MAC address {text}: expected six hexadecimal bytes (02:42:ac:11:00:02)");
        }
        byte[] bytes = [.. parts.Select(p => byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
        if ((bytes[0] & 1) != 0 || bytes.All(b => b == 0))
        {
            throw EngineException.Invalid($"invalid MAC address {text}: a container interface needs a unicast address (the first byte must be even, not all zero)");
        }
        return string.Join(':', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
