using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks.Egress;
using Bulwark.Engine.Networks.RateLimits;

namespace Bulwark.Engine.Networks;

/// <summary>
/// The bulwark driver options of a network (<c>docker network create -o com.bulwark.network.…=…</c>): egress and its
/// allowlist, and per-endpoint rate limits. Any other <c>com.bulwark.network.*</c> key is refused by name, so a typo
/// never silently leaves a network without the limit its owner asked for.
/// </summary>
public sealed record NetworkOptionNames(EgressPolicy Egress, RateLimit Rate)
{
    public const string Prefix = "com.bulwark.network.";
    public const string EgressKey = Prefix + "egress";
    public const string EgressAllowKey = Prefix + "egress.allow";
    public const string RateKey = Prefix + "rate";
    public const string RateIngressKey = Prefix + "rate.ingress";
    public const string RateEgressKey = Prefix + "rate.egress";

    public static readonly IReadOnlyList<string> Known = [EgressKey, EgressAllowKey, RateKey, RateIngressKey, RateEgressKey];

    /// <summary>Parses and checks the options; a bad or unknown bulwark option is an invalid-argument error naming it.</summary>
    public static NetworkOptionNames Parse(IReadOnlyDictionary<string, string> options)
    {
        foreach (string key in options.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal) && !Known.Contains(k)))
        {
            throw EngineException.Invalid($"unknown network option {key}: the bulwark options are {string.Join(", ", Known)}");
        }
        return new NetworkOptionNames(EgressPolicy.Parse(options), RateLimit.Parse(options));
    }
}
