namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Lifecycle hooks (runtime-spec "hooks"); only createRuntime is used.</summary>
public sealed record OciHooks
{
    /// <summary>Run in the runtime's namespaces after the container's namespaces exist, before its process starts.</summary>
    public IReadOnlyList<OciHook>? CreateRuntime { get; init; }
}

/// <summary>One hook: an absolute path, its argv, environment (runc passes no other) and a timeout in seconds.</summary>
public sealed record OciHook
{
    public required string Path { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public int? Timeout { get; init; }
}
