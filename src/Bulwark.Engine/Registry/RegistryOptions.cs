namespace Bulwark.Engine.Registry;

/// <summary>How the daemon reaches registries (daemon.json "insecure-registries").</summary>
public sealed record RegistryOptions
{
    /// <summary>Hosts ("host[:port]") or CIDR ranges ("10.0.0.0/8") reached over plain HTTP.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}
