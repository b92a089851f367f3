namespace Bulwark.Engine.Containers.Secrets;

/// <summary>
/// A secret resolved at create: which stored secret, the file name under /run/secrets, and its owner and mode, both
/// as the container sees them and as the host writes them (through the user namespace). Never holds the value.
/// </summary>
public sealed record SecretAttachment
{
    public required string SecretId { get; init; }
    public required string Name { get; init; }
    public required long Version { get; init; }
    /// <summary>The file name in /run/secrets (one path component).</summary>
    public required string FileName { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    public required uint HostUid { get; init; }
    public required uint HostGid { get; init; }
    public required int Mode { get; init; }
    /// <summary>The host ids of the container's root: owner of /run/secrets itself.</summary>
    public required uint RootHostUid { get; init; }
    public required uint RootHostGid { get; init; }

    public string Target => ContainerSecrets.MountPoint + "/" + FileName;
}
