using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security;

namespace Bulwark.Engine.Containers.Update;

/// <summary>
/// <c>docker update</c>: new cgroup limits (memory, CPU, pids) applied live through the runtime and written into the
/// container's bundle and record, so inspect and the next start show them; a new restart policy takes effect at the
/// container's next exit.
/// </summary>
internal sealed class ContainerUpdater(ContainerIndex index, ContainerLayout layout, IContainerRuntime runtime, ContainerEvents events)
{
    public async Task<IReadOnlyList<string>> UpdateAsync(string reference, ContainerUpdate update, CancellationToken ct)
    {
        var entry = index.Find(reference);
        var r = entry.Record;
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (update.Restart is { } restart && restart.Name != "no" && r.Spec.AutoRemove)
            {
                throw EngineException.Invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
            }
            var resources = Merge(r.Spec.Resources, update);
            long? pidsLimit = resources.PidsLimit switch
            {
                null => r.Profile.PidsLimit < 0 ? null : r.Profile.PidsLimit,
                < 0 => null,
                var p => p,
            };
            var oci = new OciResources
            {
                Memory = OciSpecBuilder.BuildMemory(resources),
                Cpu = OciSpecBuilder.BuildCpu(resources),
                Pids = new OciPids { Limit = pidsLimit ?? -1 },
            };

            string bundle = layout.DirectoryOf(r.Id);
            OciSpec spec = OciBundle.Read(r.Id, bundle);
            var current = spec.Linux.Resources ?? new OciResources();
            // Limits the update lifts go back to "unlimited" in the runtime (an absent field would leave them as they are).
            var applied = oci with
            {
                Memory = oci.Memory ?? (current.Memory is null ? null : new OciMemory { Limit = -1, Swap = -1 }),
                Cpu = oci.Cpu ?? current.Cpu,
            };
            if (r.State is ContainerState.Running or ContainerState.Paused && runtime.Knows(r.Id))
            {
                await runtime.UpdateResourcesAsync(r.Id, applied, ct).ConfigureAwait(false);
            }
            var merged = current with { Memory = oci.Memory, Cpu = oci.Cpu, Pids = oci.Pids };
            OciBundle.Write(bundle, spec with { Linux = spec.Linux with { Resources = merged } });

            var limits = new Dictionary<string, string>(r.Profile.Limits, StringComparer.Ordinal);
            ContainerIsolation.DescribeCgroupLimits(merged, pidsLimit, limits);
            r.Spec = r.Spec with { Resources = resources, Restart = update.Restart ?? r.Spec.Restart };
            r.Profile = r.Profile with { PidsLimit = pidsLimit ?? -1, Limits = limits };
            index.Save(entry);
        }
        events.Publish(r, "update");
        return [];
    }

    /// <summary>The container's resources with the update's non-zero values applied, checked as dockerd checks them.</summary>
    internal static ResourceSpec Merge(ResourceSpec old, ContainerUpdate u)
    {
        if (u.MemoryBytes < 0 || u.MemoryReservationBytes < 0 || u.NanoCpus < 0 || u.CpuShares < 0 || u.CpuQuota < -1 || u.CpuPeriod < 0)
        {
            throw EngineException.Invalid("invalid update: memory, reservation, CPUs, CPU shares, quota and period cannot be negative");
        }
        if (u.NanoCpus > 0 && (old.CpuQuota > 0 || u.CpuQuota > 0))
        {
            throw EngineException.Invalid("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
        }
        if ((u.CpuQuota > 0 || u.CpuPeriod > 0) && old.NanoCpus > 0 && u.NanoCpus is null or 0)
        {
            throw EngineException.Invalid("Conflicting options: CPU Period/Quota cannot be updated as NanoCPUs has already been set");
        }
        long? memory = u.MemoryBytes > 0 ? u.MemoryBytes : old.MemoryBytes;
        long? swap = u.MemorySwapBytes is not null and not 0 ? u.MemorySwapBytes : old.MemorySwapBytes;
        if (u.MemoryBytes > 0 && u.MemorySwapBytes is null or 0)
        {
            // The swap limit set at create (explicitly, or Docker's default of twice the memory) stays.
            long effectiveSwap = old.MemorySwapBytes ?? (old.MemoryBytes is > 0 ? old.MemoryBytes.Value * 2 : 0);
            if (effectiveSwap > 0 && u.MemoryBytes > effectiveSwap)
            {
                throw EngineException.Invalid(
                    "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
            }
            swap = effectiveSwap > 0 ? effectiveSwap : null;
        }
        return old with
        {
            MemoryBytes = memory,
            MemorySwapBytes = swap,
            MemoryReservationBytes = u.MemoryReservationBytes > 0 ? u.MemoryReservationBytes : old.MemoryReservationBytes,
            NanoCpus = u.NanoCpus > 0 ? u.NanoCpus : old.NanoCpus,
            CpuShares = u.CpuShares > 0 ? u.CpuShares : old.CpuShares,
            CpuQuota = u.CpuQuota is > 0 ? u.CpuQuota : u.CpuQuota == -1 ? null : old.CpuQuota,
            CpuPeriod = u.CpuPeriod > 0 ? u.CpuPeriod : old.CpuPeriod,
            CpusetCpus = string.IsNullOrEmpty(u.CpusetCpus) ? old.CpusetCpus : u.CpusetCpus,
            PidsLimit = u.PidsLimit switch
            {
                null => old.PidsLimit,
                0 or -1 => -1,
                < -1 => throw EngineException.Invalid("invalid update: pids limit must be positive, or 0 or -1 for unlimited"),
                var p => p,
            },
        };
    }
}
