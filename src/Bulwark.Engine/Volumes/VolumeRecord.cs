namespace Bulwark.Engine.Volumes;

/// <summary>What the engine remembers about one volume; persisted as <c>volumes/&lt;name&gt;/volume.json</c>, written once.</summary>
public sealed record VolumeRecord
{
    public required string Name { get; init; }
    public string Driver { get; init; } = VolumeService.LocalDriver;
    public required DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Driver options as given at create (the local driver accepts none today).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>Created for one container (-v /path, an image VOLUME, --mount without a source): <c>rm -v</c> and
    /// <c>--rm</c> remove it with the container, and prune (API ≥ 1.42) removes it by default.</summary>
    public bool Anonymous { get; init; }
    /// <summary>Owners are stored as container ids (mounted idmapped into each container's range). False in records of
    /// older versions, whose volumes were stored shifted into the shared range: converted once at first use.</summary>
    public bool OwnersUnshifted { get; init; }
}

/// <summary>A volume as callers see it: the record, where its data is, and which containers reference it.</summary>
public sealed record VolumeInfo(VolumeRecord Record, string Mountpoint, IReadOnlyList<string> ContainerIds)
{
    public string Name => Record.Name;
}

/// <summary>A volume a container asks for: Name null = a new anonymous volume.</summary>
public sealed record VolumeMountSpec(string? Name, string Destination, bool ReadOnly, bool NoCopy = false, string Mode = "")
{
    /// <summary>Labels for a volume this mount creates (--mount volume-label=…); an existing volume keeps its own.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>A volume mounted into a container, resolved at create and kept in the container record.</summary>
public sealed record VolumeAttachment(string Name, string Source, string Destination, bool ReadOnly, bool NoCopy, bool Anonymous, string Mode);
