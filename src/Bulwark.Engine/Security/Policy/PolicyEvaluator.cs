using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Security.Policy;

/// <summary>Runs every policy rule over a create request; the first refusal wins.</summary>
public sealed class PolicyEvaluator(DaemonPolicy policy)
{
    public static readonly IReadOnlyList<IPolicyRule> Rules =
    [
        new AllowPrivilegedRule(),
        new AllowHostNamespacesRule(),
        new CapabilitiesAllowedRule(),
        new SeccompUnconfinedRule(),
        new ForbiddenBindSourcesRule(),
        new AllowedDevicesRule(),
        new RequireNonRootUserRule(),
        new RequireReadOnlyRootfsRule(),
        new RequireMemoryLimitRule(),
    ];

    public DaemonPolicy Policy { get; } = policy;

    public void Evaluate(PolicyRequest request)
    {
        foreach (var rule in Rules)
        {
            rule.Check(Policy, request);
        }
    }

    /// <summary>The refusal every rule throws: names the rule and the request field, never a filesystem error text.</summary>
    internal static EngineException Refuse(string rule, string field, string cause) =>
        EngineException.Forbidden(rule, $"policy \"{rule}\" refuses {field}: {cause}");
}
