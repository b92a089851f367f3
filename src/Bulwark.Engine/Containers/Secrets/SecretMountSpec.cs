namespace Bulwark.Engine.Containers.Secrets;

/// <summary>
/// A secret the caller asks to have delivered into the container at start: the secret by name (or id), an optional
/// version it must be at, and the file it becomes under /run/secrets. Null means "the default": target = the name,
/// uid and gid 0 (the container's root, mapped through its user namespace), mode 0444.
/// </summary>
public sealed record SecretMountSpec
{
    public required string Secret { get; init; }
    public long? Version { get; init; }
    public string? Target { get; init; }
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
    public int? Mode { get; init; }
}
