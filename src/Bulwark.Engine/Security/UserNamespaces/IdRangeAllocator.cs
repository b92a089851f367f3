using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Security.UserNamespaces;

/// <summary>
/// A uid/gid range per container (like Podman's <c>--userns=auto</c>): the remap user's subordinate ranges from
/// /etc/subuid and /etc/subgid, cut into slots of <see cref="IdMapping.DefaultSize"/> ids. A container gets the lowest
/// slot that no container record holds and no create in progress has reserved; the record keeps it, so it is freed
/// with the record and known again after a restart (the records are the only state).
/// </summary>
public sealed class IdRangeAllocator
{
    private readonly IReadOnlyList<IdMapping> _slots;
    private readonly HashSet<uint> _reserved = [];
    private readonly Lock _lock = new();

    public IdRangeAllocator(string user, IEnumerable<(uint Start, uint Count)> uidRanges, IEnumerable<(uint Start, uint Count)> gidRanges, uint size = IdMapping.DefaultSize)
    {
        var uids = Slots(uidRanges, size);
        var gids = Slots(gidRanges, size);
        _slots = uids.Zip(gids, (u, g) => new IdMapping(user, u, g, size)).ToList();
    }

    /// <summary>How many containers can hold a range at once.</summary>
    public int Capacity => _slots.Count;

    /// <summary>The ranges of the remap user and group (by name or id) in <paramref name="etcDir"/>/subuid and subgid.</summary>
    public static IdRangeAllocator FromSubordinateFiles(string etcDir, string user, string group)
    {
        string? uid = UsernsRemap.LookupId(Path.Combine(etcDir, "passwd"), user);
        string? gid = UsernsRemap.LookupId(Path.Combine(etcDir, "group"), group);
        var uidRanges = new SubordinateIdFile(Path.Combine(etcDir, "subuid")).Read()
            .Where(r => r.Owner == user || r.Owner == uid).Select(r => (r.Start, r.Count));
        var gidRanges = new SubordinateIdFile(Path.Combine(etcDir, "subgid")).Read()
            .Where(r => r.Owner == group || r.Owner == gid).Select(r => (r.Start, r.Count));
        return new IdRangeAllocator(user, uidRanges, gidRanges);
    }

    /// <summary>Reserves the lowest free range; <paramref name="heldUids"/> are the first host uids of the ranges the container records hold now.</summary>
    public IdMapping Reserve(IEnumerable<uint> heldUids)
    {
        lock (_lock)
        {
            // Read under the lock: a create stores its record before it releases its reservation, so a range is
            // always either reserved or held by a record that this read sees.
            var taken = heldUids.ToHashSet();
            foreach (var slot in _slots)
            {
                if (!taken.Contains(slot.HostUid) && _reserved.Add(slot.HostUid))
                {
                    return slot;
                }
            }
        }

        throw new EngineException(ErrorKind.Conflict, string.Create(CultureInfo.InvariantCulture,
            $"no free user namespace range: all {Capacity} ranges of {IdMapping.DefaultSize} ids in the subordinate ids of user " +
            $"\"{(_slots.Count > 0 ? _slots[0].User : "?")}\" are held by containers; remove containers or give the user more ids in /etc/subuid and /etc/subgid"));
    }

    /// <summary>Ends a reservation: the create stored its record (which now holds the range) or failed (the range is free).</summary>
    public void Release(IdMapping? reserved)
    {
        if (reserved is null)
        {
            return;
        }

        lock (_lock)
        {
            _reserved.Remove(reserved.HostUid);
        }
    }

    private static List<uint> Slots(IEnumerable<(uint Start, uint Count)> ranges, uint size)
    {
        var result = new List<uint>();
        foreach (var (start, count) in ranges.OrderBy(r => r.Start))
        {
            for (ulong s = start; s + size <= (ulong)start + count; s += size)
            {
                if (result.Count == 0 || s >= result[^1] + (ulong)size)
                {
                    result.Add((uint)s);
                }
            }
        }

        return result;
    }
}
