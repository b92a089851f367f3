namespace Bulwark.Engine.Trust;

/// <summary>daemon.json <c>content-trust.mode</c>.</summary>
public enum ContentTrustMode
{
    /// <summary>No trust data is consulted (the default).</summary>
    Disabled,

    /// <summary>Every check runs; a failure is logged and published as an event, and the operation goes on.</summary>
    Permissive,

    /// <summary>Every check runs; a failure refuses the operation (403).</summary>
    Enforced,
}
