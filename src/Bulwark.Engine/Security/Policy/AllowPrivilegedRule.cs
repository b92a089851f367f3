namespace Bulwark.Engine.Security.Policy;

/// <summary>allow-privileged (default false): refuses HostConfig.Privileged.</summary>
public sealed class AllowPrivilegedRule : IPolicyRule
{
    public string Id => "allow-privileged";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        if (request.Spec.Security.Privileged && !policy.AllowPrivileged)
        {
            throw PolicyEvaluator.Refuse(Id, "HostConfig.Privileged (--privileged)", "privileged containers are disabled on this daemon");
        }
    }
}
