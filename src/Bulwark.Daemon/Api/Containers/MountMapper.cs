using System.Globalization;
using System.Text.Json;
using Bulwark.Api.Models.Containers;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Volumes;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>
/// Docker's three ways of asking for mounts, mapped to the engine's binds, volumes and tmpfs: <c>HostConfig.Binds</c>
/// (<c>-v src:dst[:opts]</c>; a source without a leading '/' names a volume), <c>Config.Volumes</c> (<c>-v /path</c>:
/// anonymous volumes) and <c>HostConfig.Mounts</c> (<c>--mount</c>). Anything we do not implement is refused by name.
/// </summary>
internal static class MountMapper
{
    private static readonly string[] Propagations = ["private", "rprivate", "slave", "rslave", "shared", "rshared"];

    public static StorageSpec Map(ContainerCreateRequest body, HostConfig hc)
    {
        var binds = new List<BindMount>();
        var volumes = new List<VolumeMountSpec>();
        var tmpfs = new Dictionary<string, string>(hc.Tmpfs ?? [], StringComparer.Ordinal);
        foreach (string spec in hc.Binds ?? [])
        {
            switch (ParseBindOrVolume(spec))
            {
                case BindMount b:
                    binds.Add(b);
                    break;
                case VolumeMountSpec v:
                    volumes.Add(v);
                    break;
            }
        }

        foreach (var m in hc.Mounts ?? [])
        {
            MapMount(m, binds, volumes, tmpfs);
        }

        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (string d in binds.Select(b => b.Destination).Concat(volumes.Select(v => v.Destination)).Concat(tmpfs.Keys.Select(VolumePlan.Clean)))
        {
            if (!taken.Add(d))
            {
                throw EngineException.Invalid($"Duplicate mount point: {d}");
            }
        }

        // Config.Volumes paths become anonymous volumes unless a bind, volume or tmpfs already covers them (docker-py
        // lists every bind destination there too).
        foreach (string path in (body.Volumes ?? []).Keys)
        {
            string d = Destination(path, $"Config.Volumes \"{path}\"");
            if (taken.Add(d))
            {
                volumes.Add(new VolumeMountSpec(null, d, ReadOnly: false));
            }
        }

        return new StorageSpec
        {
            ReadOnlyRootfs = hc.ReadonlyRootfs,
            Binds = binds,
            Volumes = volumes,
            Tmpfs = tmpfs,
            ShmSizeBytes = hc.ShmSize > 0 ? hc.ShmSize : null,
        };
    }

    /// <summary>One <c>HostConfig.Binds</c> entry: a <see cref="BindMount"/> (absolute source) or a <see cref="VolumeMountSpec"/>.</summary>
    public static object ParseBindOrVolume(string spec)
    {
        string[] parts = spec.Split(':');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0))
        {
            throw EngineException.Invalid($"invalid volume specification: '{spec}'");
        }

        if (parts.Length == 1)
        {
            // "/path" alone: an anonymous volume, as Docker parses it.
            return new VolumeMountSpec(null, Destination(parts[0], $"invalid volume specification: '{spec}'"), ReadOnly: false);
        }

        if (parts.Length == 2 && parts[1].Split(',').All(o => o is "ro" or "rw" or "nocopy" or "z" or "Z" || Propagations.Contains(o)))
        {
            throw EngineException.Invalid($"invalid volume specification: '{spec}'"); // "/foo:rw": a mode without a destination
        }

        string source = parts[0];
        string destination = Destination(parts[1], $"invalid volume specification: '{spec}'");
        string mode = parts.Length == 3 ? parts[2] : "";
        bool bind = source.StartsWith('/');
        bool ro = false;
        bool nocopy = false;
        string? propagation = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string opt in mode.Length == 0 ? [] : mode.Split(','))
        {
            string kind = opt switch
            {
                "ro" or "rw" => "rw",
                "nocopy" => "copy",
                "z" or "Z" => "label",
                _ when Propagations.Contains(opt) => "propagation",
                _ => throw EngineException.Invalid($"invalid mode: {opt} in volume specification '{spec}'"),
            };
            if (!seen.Add(kind))
            {
                throw EngineException.Invalid($"invalid mode: {mode} in volume specification '{spec}'");
            }

            switch (kind)
            {
                case "rw":
                    ro = opt == "ro";
                    break;
                case "copy" when bind:
                    throw EngineException.Invalid($"invalid volume specification: '{spec}': nocopy applies to volumes, not to bind mounts");
                case "copy":
                    nocopy = true;
                    break;
                case "label":
                    throw EngineException.Invalid($"invalid volume specification: '{spec}': SELinux relabeling (:{opt}) needs SELinux, which is not enabled on this host");
                case "propagation" when !bind:
                    throw EngineException.Invalid($"invalid volume specification: '{spec}': propagation ({opt}) applies to bind mounts, not to volumes");
                default:
                    propagation = opt;
                    break;
            }
        }

        if (bind)
        {
            return new BindMount(source, destination, ro, propagation ?? "rprivate");
        }

        VolumeName.Validate(source);
        return new VolumeMountSpec(source, destination, ro, nocopy, mode);
    }

    private static void MapMount(MountDto m, List<BindMount> binds, List<VolumeMountSpec> volumes, Dictionary<string, string> tmpfs)
    {
        string type = m.Type ?? "";
        string what = $"HostConfig.Mounts (type={type}, target={m.Target})";
        RefuseUnknown(m.Unknown, what);
        if (m.ClusterOptions is { ValueKind: not JsonValueKind.Null })
        {
            throw EngineException.Invalid($"{what}: ClusterOptions (swarm cluster volumes) are not supported");
        }

        string target = Destination(m.Target ?? "", what);
        if (type != "bind" && m.BindOptions is not null)
        {
            throw EngineException.Invalid($"{what}: BindOptions must not be specified on mount type \"{type}\"");
        }

        if (type != "volume" && m.VolumeOptions is not null)
        {
            throw EngineException.Invalid($"{what}: VolumeOptions must not be specified on mount type \"{type}\"");
        }

        if (type != "tmpfs" && m.TmpfsOptions is not null)
        {
            throw EngineException.Invalid($"{what}: TmpfsOptions must not be specified on mount type \"{type}\"");
        }

        switch (type)
        {
            case "bind":
                binds.Add(MapBind(m, target, what));
                break;
            case "volume":
                volumes.Add(MapVolume(m, target, what));
                break;
            case "tmpfs":
                if (!string.IsNullOrEmpty(m.Source))
                {
                    throw EngineException.Invalid($"{what}: Source must not be specified for a tmpfs mount");
                }

                tmpfs[target] = TmpfsOptions(m, what);
                break;
            default:
                throw EngineException.Invalid($"{what}: mount type \"{type}\" is not supported: use bind, volume or tmpfs");
        }
    }

    private static BindMount MapBind(MountDto m, string target, string what)
    {
        if (string.IsNullOrEmpty(m.Source))
        {
            throw EngineException.Invalid($"{what}: Source must not be empty for a bind mount");
        }

        if (!m.Source.StartsWith('/'))
        {
            throw EngineException.Invalid($"{what}: invalid mount config for type \"bind\": bind source path must be absolute: {m.Source}");
        }

        var o = m.BindOptions;
        RefuseUnknown(o?.Unknown, what + " BindOptions");
        if (o is { NonRecursive: true } or { ReadOnlyNonRecursive: true } or { ReadOnlyForceRecursive: true } or { CreateMountpoint: true })
        {
            string option = o.NonRecursive ? "bind-nonrecursive" : o.ReadOnlyNonRecursive ? "bind-recursive=writable"
                : o.ReadOnlyForceRecursive ? "bind-recursive=readonly" : "bind-create-src";
            throw EngineException.Invalid($"{what}: {option} is not supported");
        }

        string propagation = o?.Propagation is { Length: > 0 } p ? p : "rprivate";
        if (!Propagations.Contains(propagation))
        {
            throw EngineException.Invalid($"{what}: invalid propagation mode \"{propagation}\"");
        }

        return new BindMount(m.Source, target, m.ReadOnly, propagation);
    }

    private static VolumeMountSpec MapVolume(MountDto m, string target, string what)
    {
        var o = m.VolumeOptions;
        RefuseUnknown(o?.Unknown, what + " VolumeOptions");
        if (o?.Subpath is { Length: > 0 })
        {
            throw EngineException.Invalid($"{what}: volume-subpath is not supported");
        }

        if (o?.DriverConfig is { } driver)
        {
            if (driver.Name is { Length: > 0 } name && name != VolumeService.LocalDriver)
            {
                throw EngineException.Invalid($"{what}: volume driver \"{name}\" is not supported: bulwark has only the \"local\" driver");
            }

            if (driver.Options is { Count: > 0 } opts)
            {
                throw EngineException.Invalid(
                    $"{what}: volume driver option(s) {string.Join(", ", opts.Keys.Order(StringComparer.Ordinal))} not supported: bulwark's local driver takes no options");
            }
        }

        string? source = string.IsNullOrEmpty(m.Source) ? null : VolumeName.Validate(m.Source);
        return new VolumeMountSpec(source, target, m.ReadOnly, o?.NoCopy ?? false) { Labels = o?.Labels };
    }

    private static string TmpfsOptions(MountDto m, string what)
    {
        var o = m.TmpfsOptions;
        RefuseUnknown(o?.Unknown, what + " TmpfsOptions");
        if (o?.Options is { Count: > 0 })
        {
            throw EngineException.Invalid($"{what}: TmpfsOptions.Options (tmpfs-option) is not supported: use tmpfs-size and tmpfs-mode");
        }

        if (o is { SizeBytes: < 0 })
        {
            throw EngineException.Invalid($"{what}: tmpfs-size cannot be negative");
        }

        var opts = new List<string>();
        if (m.ReadOnly)
        {
            opts.Add("ro");
        }

        if (o is { Mode: > 0 })
        {
            opts.Add("mode=" + Convert.ToString(o.Mode & 0xFFF, 8));
        }

        if (o is { SizeBytes: > 0 })
        {
            opts.Add("size=" + o.SizeBytes.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(',', opts);
    }

    private static void RefuseUnknown(Dictionary<string, JsonElement>? unknown, string what)
    {
        if (unknown is { Count: > 0 })
        {
            throw EngineException.Invalid($"{what}: unknown field(s) {string.Join(", ", unknown.Keys.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>An absolute, cleaned container path other than "/".</summary>
    private static string Destination(string path, string what)
    {
        if (!path.StartsWith('/'))
        {
            throw EngineException.Invalid($"{what}: invalid mount path: '{path}' mount path must be absolute");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw EngineException.Invalid($"{what}: mount path contains a NUL byte");
        }

        string clean = VolumePlan.Clean(path);
        return clean == "/" ? throw EngineException.Invalid($"{what}: destination can't be '/'") : clean;
    }
}
