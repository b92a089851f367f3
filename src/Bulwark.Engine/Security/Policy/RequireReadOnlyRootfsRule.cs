namespace Bulwark.Engine.Security.Policy;

/// <summary>require-read-only-rootfs (default false): --read-only is mandatory.</summary>
public sealed class RequireReadOnlyRootfsRule : IPolicyRule
{
    public string Id => "require-read-only-rootfs";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        if (policy.RequireReadOnlyRootfs && !request.Spec.Storage.ReadOnlyRootfs)
        {
            throw PolicyEvaluator.Refuse(Id, "HostConfig.ReadonlyRootfs false", "containers must use --read-only on this daemon");
        }
    }
}
