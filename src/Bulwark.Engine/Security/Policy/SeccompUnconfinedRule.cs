namespace Bulwark.Engine.Security.Policy;

/// <summary>seccomp-unconfined-allowed (default false): refuses --security-opt seccomp=unconfined.</summary>
public sealed class SeccompUnconfinedRule : IPolicyRule
{
    public string Id => "seccomp-unconfined-allowed";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        if (policy.SeccompUnconfinedAllowed)
        {
            return;
        }

        foreach (var opt in request.Spec.Security.SecurityOpt)
        {
            var o = opt.Replace(':', '=').Trim();
            if (o == "seccomp=unconfined")
            {
                throw PolicyEvaluator.Refuse(Id, $"HostConfig.SecurityOpt \"{opt}\"",
                    "running without a seccomp filter is disabled on this daemon");
            }
        }
    }
}
