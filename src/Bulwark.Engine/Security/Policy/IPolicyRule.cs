namespace Bulwark.Engine.Security.Policy;

/// <summary>One policy rule: refuses a request by throwing <see cref="Errors.EngineException.Forbidden"/> with its id.</summary>
public interface IPolicyRule
{
    /// <summary>The daemon.json key of the rule ("allow-privileged").</summary>
    string Id { get; }

    void Check(DaemonPolicy policy, PolicyRequest request);
}
