namespace Bulwark.Engine.Security.Policy;

/// <summary>require-non-root-user (default false): the container's user (request or image) must not be root.</summary>
public sealed class RequireNonRootUserRule : IPolicyRule
{
    public string Id => "require-non-root-user";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        if (!policy.RequireNonRootUser)
        {
            return;
        }

        string user = string.IsNullOrEmpty(request.Spec.User) ? request.ImageUser ?? "" : request.Spec.User;
        string name = user.Split(':')[0].Trim();
        if (name is "" or "0" or "root")
        {
            string shown = string.IsNullOrEmpty(user) ? "(unset: root)" : user;
            throw PolicyEvaluator.Refuse(Id, $"Config.User \"{shown}\"", "containers must run as a non-root user on this daemon (use --user)");
        }
    }

    /// <summary>Second check once the user is resolved against the image's /etc/passwd (a name may map to uid 0).</summary>
    public static void CheckResolved(DaemonPolicy policy, string user, uint uid)
    {
        if (policy.RequireNonRootUser && uid == 0)
        {
            throw PolicyEvaluator.Refuse("require-non-root-user", $"Config.User \"{user}\"", "it resolves to uid 0 in the image, and containers must run as a non-root user on this daemon");
        }
    }
}
