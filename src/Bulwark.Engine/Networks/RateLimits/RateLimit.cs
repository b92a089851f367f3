using System.Globalization;
using System.Text.RegularExpressions;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks.RateLimits;

/// <summary>
/// Per-endpoint bandwidth limits of a network in bits per second, seen from the container: ingress is what it
/// receives, egress what it sends. <c>com.bulwark.network.rate</c> sets both; <c>.rate.ingress</c> and
/// <c>.rate.egress</c> set (or override) one direction. Null means unlimited.
/// </summary>
public sealed partial record RateLimit(ulong? IngressBitsPerSecond, ulong? EgressBitsPerSecond)
{
    public static readonly RateLimit Unlimited = new(null, null);

    /// <summary>Below this a token bucket cannot hold one full-size frame per tick in any useful way.</summary>
    private const ulong Minimum = 8_000;

    public bool IsUnlimited => IngressBitsPerSecond is null && EgressBitsPerSecond is null;

    public static RateLimit Parse(IReadOnlyDictionary<string, string> options)
    {
        ulong? both = Read(options, NetworkOptionNames.RateKey);
        return new RateLimit(Read(options, NetworkOptionNames.RateIngressKey) ?? both, Read(options, NetworkOptionNames.RateEgressKey) ?? both);
    }

    private static ulong? Read(IReadOnlyDictionary<string, string> options, string key) =>
        options.TryGetValue(key, out string? text) ? ParseRate(key, text) : null;

    /// <summary>"1mbit", "500kbit", "2.5gbit", "64000bit" (SI units, as tc writes them).</summary>
    public static ulong ParseRate(string key, string text)
    {
        var m = RateText().Match(text.Trim());
        if (!m.Success || !decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            throw EngineException.Invalid($"invalid {key}=\"{text}\": expected a rate such as 500kbit, 10mbit or 1gbit");
        }
        decimal factor = m.Groups[2].Value.ToLowerInvariant() switch
        {
            "kbit" => 1e3m,
            "mbit" => 1e6m,
            "gbit" => 1e9m,
            _ => 1m,
        };
        decimal bits = number * factor;
        if (bits < Minimum || bits > 100e9m)
        {
            throw EngineException.Invalid($"invalid {key}=\"{text}\": a rate must be between 8kbit and 100gbit");
        }
        return (ulong)bits;
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(bit|kbit|mbit|gbit)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex RateText();
}
