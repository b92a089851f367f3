using System.Globalization;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security.Policy;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Engine.Snapshots;
using Bulwark.Native;

namespace Bulwark.Engine.Security;

/// <summary>
/// The isolation steps of container create/start, kept out of the container facade: policy and profile, the
/// user-namespace mapping and its shifted layers, the rootfs preparation (/dev guard, traversal), and the
/// effective profile shown by inspect.
/// </summary>
public sealed class ContainerIsolation
{
    private static readonly string[] InitCandidates = ["/usr/bin/tini-static", "/usr/bin/tini", "/usr/bin/catatonit"];
    private readonly EngineOptions _options;
    private readonly HostSecurity _host;
    private readonly string _snapshotDriver;
    private readonly bool _idmappedLayers;
    private readonly PolicyEvaluator _policy;
    private readonly IReadOnlyList<string> _protectedPaths;

    /// <param name="idmappedLayers">The snapshotter mounts layers idmapped (no shifted copies needed).</param>
    public ContainerIsolation(EngineOptions options, HostSecurity host, string snapshotDriver, bool idmappedLayers)
    {
        _options = options;
        _host = host;
        _snapshotDriver = snapshotDriver;
        _idmappedLayers = idmappedLayers;
        _policy = new PolicyEvaluator(options.Policy);
        var paths = new List<string> { options.DataRoot, options.ExecRoot };
        if (options.ApiSocketPath is { Length: > 0 } socket)
        {
            paths.Add(socket);
        }

        _protectedPaths = paths;
        InitBinary = options.InitBinary ?? InitCandidates.FirstOrDefault(File.Exists);
    }

    public string? InitBinary { get; }

    public SecurityProfile BuildProfile(ContainerSpec spec, string? imageUser) =>
        SecurityProfileBuilder.Build(spec, _host, _policy, imageUser, _protectedPaths);

    /// <summary>
    /// The mapping a new container gets: none with --userns host (when policy allows it); else a range of its own,
    /// reserved until <see cref="ReleaseMapping"/> (its record holds it from then on), when per-container ranges are on
    /// and layers are idmapped; else the daemon's shared range.
    /// </summary>
    /// <param name="heldUids">First host uids of the ranges existing containers hold.</param>
    public IdMapping? ReserveMapping(SecurityProfile profile, IEnumerable<uint> heldUids)
    {
        if (profile.HostUserNamespace)
        {
            return null;
        }

        return _options.IdRanges is { } ranges && _idmappedLayers ? ranges.Reserve(heldUids) : _options.UserNamespace;
    }

    /// <summary>Ends the reservation of <see cref="ReserveMapping"/> (after the record is stored, or the create failed).</summary>
    public void ReleaseMapping(IdMapping? map)
    {
        if (_options.IdRanges is { } ranges && map is not null && map != _options.UserNamespace)
        {
            ranges.Release(map);
        }
    }

    /// <summary>Whether a container with <paramref name="map"/> gets the stored layers mounted idmapped (else shifted copies).</summary>
    public bool IdmapsLayers(IdMapping? map) => map is not null && _idmappedLayers;

    /// <summary>The layer directories the container's overlay uses: the stored ones (host namespace, or idmapped at mount),
    /// or, where idmapped mounts are unavailable or turned off, shifted copies made once per layer and range.</summary>
    public Task<IReadOnlyList<string>> LayersAsync(IReadOnlyList<string> layerDirs, IdMapping? map, CancellationToken ct) =>
        map is null || _idmappedLayers ? Task.FromResult(layerDirs) : IdShiftedLayers.PrepareAsync(layerDirs, map, ct);

    /// <summary>The bind sources a container's bundle takes through idmapped mounts: its volumes (stored unshifted) and,
    /// unless policy unmapped-binds is set, its host binds. Empty when its layers are not idmapped either.</summary>
    public IReadOnlySet<string> IdmappedSources(ContainerSpec spec, IReadOnlyList<Volumes.VolumeAttachment> volumes, IdMapping? map)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (!IdmapsLayers(map))
        {
            return set;
        }

        set.UnionWith(volumes.Select(v => v.Source));
        if (!_options.Policy.UnmappedBinds)
        {
            set.UnionWith(spec.Storage.Binds.Select(b => b.Source));
        }

        return set;
    }

    /// <summary>After the snapshot is prepared, before it is mounted: traversal for the mapped root and the /dev guard.</summary>
    public void PrepareRootfs(string containerDir, IdMapping? map)
    {
        if (map is not null)
        {
            RootfsAccess.Grant(_options.DataRoot, containerDir, map);
        }

        GuardDev(containerDir);
    }

    /// <summary>Re-applies the /dev guard before every mount (owner taken from the container's writable layer).</summary>
    public void GuardDev(string containerDir)
    {
        bool overlay = _snapshotDriver == SnapshotService.OverlayDriver;
        string top = Path.Combine(containerDir, overlay ? "upper" : "rootfs");
        Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, top, out var st, Interop.AtSymlinkNoFollow), "lstat", top);
        RootfsDevGuard.Apply(containerDir, _snapshotDriver, (st.Uid, st.Gid));
    }

    /// <summary>Checks that need the built spec (the user resolved against the image's /etc/passwd).</summary>
    public void CheckBuilt(ContainerSpec spec, string? imageUser, OciSpec built) =>
        RequireNonRootUserRule.CheckResolved(_options.Policy, string.IsNullOrEmpty(spec.User) ? imageUser ?? "" : spec.User, built.Process.User.Uid);

    /// <summary>
    /// Sets the cgroup entries of inspect's limits (pids, memory, memory+swap, memory-reservation, cpus, cpu-shares,
    /// cpuset-cpus) from the resources in force, removing the ones no longer set; also used after <c>update</c>.
    /// </summary>
    public static void DescribeCgroupLimits(OciResources? res, long? pidsLimit, IDictionary<string, string> limits)
    {
        foreach (string key in (string[])["memory+swap", "memory-reservation", "cpus", "cpu-shares", "cpuset-cpus"])
        {
            limits.Remove(key);
        }

        limits["pids"] = pidsLimit is { } p ? Num(p) : "unlimited";
        limits["memory"] = res?.Memory?.Limit is { } m ? Num(m) : "unlimited";
        if (res?.Memory?.Swap is { } swap)
        {
            limits["memory+swap"] = swap < 0 ? "unlimited" : Num(swap);
        }

        if (res?.Memory?.Reservation is { } reservation)
        {
            limits["memory-reservation"] = Num(reservation);
        }

        if (res?.Cpu is { } cpu)
        {
            if (cpu.Quota is { } q && cpu.Period is { } per)
            {
                limits["cpus"] = (q / (double)per).ToString("0.###", CultureInfo.InvariantCulture);
            }

            if (cpu.Shares is { } shares)
            {
                limits["cpu-shares"] = shares.ToString(CultureInfo.InvariantCulture);
            }

            if (cpu.Cpus is { } set)
            {
                limits["cpuset-cpus"] = set;
            }
        }
    }

    /// <summary>What inspect shows as the container's security profile.</summary>
    public EffectiveProfile Describe(SecurityProfile profile, ContainerSpec spec, OciSpec built, IdMapping? map)
    {
        var limits = new Dictionary<string, string>(StringComparer.Ordinal);
        DescribeCgroupLimits(built.Linux.Resources, profile.PidsLimit, limits);

        foreach (var r in built.Process.Rlimits ?? [])
        {
            limits["ulimit-" + r.Type["RLIMIT_".Length..].ToLowerInvariant()] =
                string.Create(CultureInfo.InvariantCulture, $"{r.Soft}:{r.Hard}");
        }

        var shm = built.Mounts.FirstOrDefault(x => x.Destination == "/dev/shm")?.Options?.FirstOrDefault(o => o.StartsWith("size=", StringComparison.Ordinal));
        if (shm is not null)
        {
            limits["shm-size"] = shm["size=".Length..];
        }

        limits["oom-score-adj"] = Num(built.Process.OomScoreAdj ?? 0);

        string lsm = profile.ApparmorProfile is { } aa ? "apparmor:" + aa
            : profile.SelinuxLabel is { } se ? "selinux:" + se
            : _host.ActiveLsms.Count == 0 ? "none (no LSM is active on this host)" : "none (host LSMs: " + string.Join(",", _host.ActiveLsms) + ")";
        return new EffectiveProfile
        {
            Capabilities = profile.Capabilities,
            NoNewPrivileges = profile.NoNewPrivileges,
            Seccomp = profile.SeccompProfileName,
            SeccompSyscalls = profile.SeccompSyscallCount,
            MaskedPaths = profile.MaskedPaths,
            ReadonlyPaths = profile.ReadonlyPaths,
            PidsLimit = profile.PidsLimit ?? -1,
            UserNamespace = map is null ? "host" : $"remapped to {map.User} ({map.Describe()})",
            UidMap = map is null ? "" : string.Create(CultureInfo.InvariantCulture, $"0 {map.HostUid} {map.Size}"),
            GidMap = map is null ? "" : string.Create(CultureInfo.InvariantCulture, $"0 {map.HostGid} {map.Size}"),
            Lsm = lsm,
            ReadonlyRootfs = spec.Storage.ReadOnlyRootfs,
            Limits = limits,
            Init = spec.Security.Init,
            Devices = spec.Security.Devices,
        };
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
