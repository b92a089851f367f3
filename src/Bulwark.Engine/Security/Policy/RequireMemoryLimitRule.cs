namespace Bulwark.Engine.Security.Policy;

/// <summary>require-memory-limit (default false): --memory is mandatory.</summary>
public sealed class RequireMemoryLimitRule : IPolicyRule
{
    public string Id => "require-memory-limit";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        if (policy.RequireMemoryLimit && request.Spec.Resources.MemoryBytes is not > 0)
        {
            throw PolicyEvaluator.Refuse(Id, "HostConfig.Memory 0", "containers must set a memory limit (--memory) on this daemon");
        }
    }
}
