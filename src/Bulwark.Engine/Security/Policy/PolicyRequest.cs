using Bulwark.Engine.Containers;

namespace Bulwark.Engine.Security.Policy;

/// <summary>What a policy rule looks at: the request, the capabilities it resolves to, and the daemon's protected paths.</summary>
public sealed record PolicyRequest(
    ContainerSpec Spec,
    string? ImageUser,
    IReadOnlyList<string> Capabilities,
    HostSecurity Host,
    IReadOnlyList<string> ProtectedPaths);
