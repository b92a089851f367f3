using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks.Egress;

/// <summary>Whether a network has egress, and to where. Off unless <c>com.bulwark.network.egress=true</c>.</summary>
public sealed record EgressPolicy(bool Enabled, IReadOnlyList<EgressRule> Allow)
{
    public static readonly EgressPolicy None = new(false, []);

    public static EgressPolicy Parse(IReadOnlyDictionary<string, string> options)
    {
        bool enabled = false;
        if (options.TryGetValue(NetworkOptionNames.EgressKey, out string? flag))
        {
            enabled = flag.ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw EngineException.Invalid($"invalid {NetworkOptionNames.EgressKey}=\"{flag}\": expected true or false"),
            };
        }
        options.TryGetValue(NetworkOptionNames.EgressAllowKey, out string? allow);
        if (!enabled)
        {
            return allow is { Length: > 0 }
                ? throw EngineException.Invalid($"{NetworkOptionNames.EgressAllowKey} needs {NetworkOptionNames.EgressKey}=true")
                : None;
        }
        if (allow is not { Length: > 0 })
        {
            throw EngineException.Invalid(
                $"{NetworkOptionNames.EgressKey}=true needs {NetworkOptionNames.EgressAllowKey}=CIDR[:PORTS],… (0.0.0.0/0 allows every destination)");
        }
        return new EgressPolicy(true, EgressRule.ParseList(allow));
    }
}
