namespace Bulwark.Engine.Security.Policy;

/// <summary>allow-host-namespaces (default false): refuses host pid/ipc/uts/userns/network namespaces.</summary>
public sealed class AllowHostNamespacesRule : IPolicyRule
{
    public string Id => "allow-host-namespaces";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        if (policy.AllowHostNamespaces)
        {
            return;
        }

        var s = request.Spec.Security;
        Refuse("HostConfig.PidMode", "pid", s.PidMode);
        Refuse("HostConfig.IpcMode", "ipc", s.IpcMode);
        Refuse("HostConfig.UTSMode", "uts", s.UtsMode);
        Refuse("HostConfig.UsernsMode", "userns", s.UsernsMode);
        Refuse("HostConfig.NetworkMode", "network", request.Spec.Network.Mode);
    }

    private void Refuse(string field, string kind, string? mode)
    {
        if (mode == "host")
        {
            throw PolicyEvaluator.Refuse(Id, $"{field} \"host\" (--{kind}=host)",
                $"sharing the host's {kind} namespace is disabled on this daemon");
        }
    }
}
