namespace Bulwark.Daemon.Access;

/// <summary>
/// Who is calling, as the transport proved it, with every subject a binding may name (<c>uid:1001</c>,
/// <c>user:alice</c>, <c>group:ops</c>, <c>cert:alice</c>). <see cref="Name"/> is what 403s and the audit log show.
/// </summary>
internal sealed record CallerIdentity(string Name, string Transport, IReadOnlyList<string> Subjects)
{
    public int? Uid { get; init; }
    public int? Pid { get; init; }
    public string? RemoteAddress { get; init; }

    /// <summary>uid 0 on the unix socket is always admin, whatever the bindings say.</summary>
    public bool IsLocalRoot => Uid == 0 && Transport == Http.ConnectionPeer.UnixTransport;
}
