namespace Bulwark.Engine.Security.Policy;

/// <summary>capabilities-allowed: every capability the container would hold must be in the daemon's allowlist.</summary>
public sealed class CapabilitiesAllowedRule : IPolicyRule
{
    public string Id => "capabilities-allowed";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        if (request.Spec.Security.Privileged)
        {
            // --privileged is governed by allow-privileged alone.
            return;
        }

        var allowed = policy.EffectiveCapabilitiesAllowed(request.Host);
        var refused = request.Capabilities.Where(c => !allowed.Contains(c)).ToList();
        if (refused.Count == 0)
        {
            return;
        }

        var asked = request.Spec.Security.CapAdd;
        string field = asked.Count > 0
            ? $"HostConfig.CapAdd \"{string.Join(',', asked)}\""
            : "the container's capabilities";
        throw PolicyEvaluator.Refuse(Id, field,
            $"{string.Join(", ", refused)} {(refused.Count == 1 ? "is" : "are")} not in this daemon's allowed capabilities");
    }
}
