using Bulwark.Engine.Containers.Archive;
using Bulwark.Engine.Containers.Networking;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Networks;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security;
using Bulwark.Engine.Snapshots;
using Bulwark.Engine.Snapshots.Idmapped;
using Bulwark.Engine.Volumes;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Create;

/// <summary>
/// Creates containers: resolves the image, applies policy and builds the security profile (a refusal leaves nothing
/// behind), attaches volumes and networks, prepares and mounts the snapshot, writes the OCI bundle, and only then
/// stores the record. Any failure undoes every step already taken.
/// </summary>
internal sealed class ContainerCreator(
    ContainerIndex index,
    ContainerLayout layout,
    ImageService images,
    SnapshotService snapshots,
    ContainerIsolation isolation,
    ContainerNetworking networking,
    NetworkService networks,
    VolumeService volumeService,
    RuntimeInfo runtimeInfo,
    ContainerEvents events,
    Secrets.ContainerSecrets secrets,
    ILogger logger)
{
    public async Task<(ContainerRecord Record, IReadOnlyList<string> Warnings)> CreateAsync(ContainerSpec spec, CancellationToken ct)
    {
        spec = VolumesFrom.Expand(spec, index);
        string id = ContainerIndex.NewId();
        string name = spec.Name is { Length: > 0 } n ? ContainerIndex.ValidateName(n) : index.GenerateName(id);
        ImageRecord image = images.Resolve(spec.Image);
        await images.Trust.VerifyLocalImageAsync(spec.Image, image, "create", ct).ConfigureAwait(false);
        await images.Admission.AdmitAsync(spec.Image, image, "create", ct).ConfigureAwait(false); // policy.scan

        // Policy and profile first: a refused request leaves nothing behind.
        SecurityProfile profile = isolation.BuildProfile(spec, image.Config.User);
        var warnings = new List<string>();
        var exposedPorts = Ports.PortPlan.Exposed(spec.Ports, image.Config.ExposedPorts);
        if (spec.Network.Mode == "host")
        {
            if (spec.Ports.Bindings.Count > 0 || spec.Ports.PublishAll)
            {
                warnings.Add("Published ports are discarded when using host network mode");
            }
        }
        else
        {
            _ = networking.Ports.Plan(spec.Ports, exposedPorts); // policy.published-ports: refused before anything exists
        }
        bool userNetwork = ContainerNetworking.IsUserNetwork(spec.Network.Mode);
        // Every container with a namespace of its own (the default included) gets bulwarkd's etc files, so it can be
        // connected to a network later (docker-py and compose create first and connect after).
        bool privateNetwork = spec.Network.Mode != "host";
        if (userNetwork && !networks.TryGet(spec.Network.Mode, out _))
        {
            // A 400, not a 404: clients (the docker CLI) read a 404 from create as "image missing" and start a pull.
            throw EngineException.Invalid($"network {spec.Network.Mode} not found");
        }

        index.ReserveName(name, id);
        string dir = layout.DirectoryOf(id);
        IReadOnlyList<VolumeAttachment> volumes = [];
        Security.UserNamespaces.IdMapping? userns = null;
        try
        {
            userns = isolation.ReserveMapping(profile, index.Handles.Select(h => ArchiveIdMap.FromProfile(h.Record.Profile)).Where(m => m.Size > 0).Select(m => m.HostUid));
            // Secret files are owned through the container's own range, so they resolve once it is reserved.
            var secretAttachments = secrets.Resolve(spec.Secrets, userns);
            volumes = volumeService.Attach(id, VolumePlan.For(spec.Storage, image.Config.Volumes));
            // Shifted copies (the fallback without idmapped mounts) stay pinned until the record holds them.
            using var copies = IdShiftedLayers.Pin(images.LayerDirs(image), isolation.IdmapsLayers(userns) ? null : userns);
            IReadOnlyList<string> layers = await isolation.LayersAsync(images.LayerDirs(image), userns, ct).ConfigureAwait(false);
            Directory.CreateDirectory(dir);
            await snapshots.PrepareAsync(dir, layers, ct).ConfigureAwait(false);
            isolation.PrepareRootfs(dir, userns);
            string rootfs = snapshots.Mount(dir, layers, isolation.IdmapsLayers(userns) ? userns : null);
            string hostname = spec.Hostname is { Length: > 0 } h ? h : id[..12];
            if (privateNetwork)
            {
                await networking.AttachAtCreateAsync(id, name, spec, ct).ConfigureAwait(false);
            }
            var input = new OciSpecInput(spec, image.Config, profile, rootfs, id, hostname, layout.CgroupsPath(id))
            {
                UidMappings = userns?.UidMappings,
                GidMappings = userns?.GidMappings,
                InitBinary = isolation.InitBinary,
                // runc runs the wiring hook only for a container on a network: a loopback-only one (the default) is
                // spared a shell per start; `network connect` adds the hook to the bundle (ContainerNetworking).
                NetworkSetupScript = privateNetwork && networking.HasEndpoints(id) ? layout.NetworkSetupScriptPath(id) : null,
                HostsFile = privateNetwork ? layout.HostsPath(id) : null,
                ResolvConfFile = privateNetwork ? layout.ResolvConfPath(id) : null,
                Volumes = volumes,
                SecretsDir = secretAttachments.Count > 0 ? secrets.MountDir(id) : null,
            };
            var built = OciSpecBuilder.Build(input);
            Filesystem.TmpfsMountpoints.Prepare(rootfs, spec.Storage.Tmpfs);
            isolation.CheckBuilt(spec, image.Config.User, built);
            (built, var idmappedSources) = IdmappedBindSources.Redirect(built, dir, isolation.IdmappedSources(spec, volumes, userns));
            var userArgs = spec.Security.Init ? built.Process.Args.Skip(2).ToList() : built.Process.Args;
            OciBundle.Write(dir, built, durable: false);

            var labels = new Dictionary<string, string>(image.Config.Labels, StringComparer.Ordinal);
            foreach (var kv in spec.Labels)
            {
                labels[kv.Key] = kv.Value;
            }
            var record = new ContainerRecord
            {
                Id = id,
                Name = name,
                Created = DateTimeOffset.UtcNow,
                Spec = spec,
                ImageId = image.Id,
                Path = userArgs[0],
                Args = [.. userArgs.Skip(1)],
                // Config.Env as dockerd keeps it: a "KEY" without "=" (unset in the process) is still shown.
                Env = [.. built.Process.Env, .. spec.Env.Where(e => !e.Contains('=', StringComparison.Ordinal))],
                Labels = labels,
                Hostname = hostname,
                User = spec.User ?? image.Config.User ?? "",
                WorkingDir = built.Process.Cwd,
                LayerDirs = layers,
                IdMap = userns,
                IdmappedLayers = isolation.IdmapsLayers(userns),
                IdmappedSources = idmappedSources,
                Runtime = runtimeInfo.Name,
                Profile = isolation.Describe(profile, spec, built, userns),
                Volumes = volumes,
                Secrets = secretAttachments,
                ExposedPorts = exposedPorts,
            };
            if (spec.AutoRemove)
            {
                // No fsync (~3 ms of `run --rm`): a --rm container lost to a power loss is an orphan directory that
                // startup removes, the same end as its removal.
                index.Store.SaveWithoutFlush(record);
            }
            else
            {
                index.Store.Save(record);
            }
            index.Add(record);
            events.Publish(record, "create");
            if (privateNetwork)
            {
                networking.RefreshHosts(networks.EndpointsOf(id).Select(x => x.Network.Id), exceptContainer: null);
            }
            return (record, warnings);
        }
        catch (Exception ex)
        {
            if (privateNetwork)
            {
                await networking.ReleaseNetworksAsync(id).ConfigureAwait(false);
            }
            index.ReleaseName(name, id);
            CleanupDirectory(dir);
            volumeService.Detach(id, volumes, removeAnonymous: true);
            if (ex is not EngineException && DiskFull.Is(ex))
            {
                // Any write of the create (etc files, bundle, layers' work dirs) names the full filesystem.
                throw DiskFull.Error(null, dir, ex);
            }
            throw;
        }
        finally
        {
            isolation.ReleaseMapping(userns); // the stored record holds the range now, or the create failed
        }
    }

    public void CleanupDirectory(string dir)
    {
        try
        {
            snapshots.Remove(dir);
        }
        catch (Exception ex) when (ex is IOException or EngineException or UnauthorizedAccessException)
        {
            ContainerLog.CleanupFailed(logger, dir, ex.Message);
        }
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ContainerLog.CleanupFailed(logger, dir, ex.Message);
        }
    }
}
