using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Resolves Docker's user syntax ("uid[:gid]", "name[:group]") against the rootfs's /etc/passwd and /etc/group.</summary>
public static class ContainerUser
{
    /// <param name="groupAdd">Supplementary groups asked for (<c>--group-add</c>): numeric ids, or names that must exist in /etc/group.</param>
    public static OciUser Resolve(string? user, string rootfs, IReadOnlyList<string>? groupAdd = null)
    {
        user = string.IsNullOrWhiteSpace(user) ? "0" : user.Trim();
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        var userPart = colon < 0 ? user : user[..colon];
        var groupPart = colon < 0 ? null : user[(colon + 1)..];
        if (userPart.Length == 0)
        {
            userPart = "0";
        }

        var passwd = Parse(RootfsFile.ReadText(rootfs, "/etc/passwd"));
        var groups = Parse(RootfsFile.ReadText(rootfs, "/etc/group"));

        uint uid;
        uint gid = 0;
        string? name = null;
        if (TryId(userPart, out uid))
        {
            var entry = passwd.FirstOrDefault(p => p.Length >= 4 && p[2] == userPart);
            if (entry is not null)
            {
                name = entry[0];
                _ = TryId(entry[3], out gid);
            }
        }
        else
        {
            var entry = passwd.FirstOrDefault(p => p.Length >= 4 && p[0] == userPart)
                ?? throw EngineException.Invalid($"unable to find user {userPart}: no matching entries in passwd file");
            name = entry[0];
            if (!TryId(entry[2], out uid) || !TryId(entry[3], out gid))
            {
                throw EngineException.Invalid($"invalid passwd entry for user {userPart} in the container's /etc/passwd");
            }
        }

        if (!string.IsNullOrEmpty(groupPart))
        {
            if (!TryId(groupPart, out gid))
            {
                var entry = groups.FirstOrDefault(g => g.Length >= 3 && g[0] == groupPart)
                    ?? throw EngineException.Invalid($"unable to find group {groupPart}: no matching entries in group file");
                if (!TryId(entry[2], out gid))
                {
                    throw EngineException.Invalid($"invalid group entry for {groupPart} in the container's /etc/group");
                }
            }
        }

        var additional = new List<uint>();
        if (name is not null)
        {
            foreach (var g in groups)
            {
                if (g.Length >= 4 && g[3].Split(',', StringSplitOptions.TrimEntries).Contains(name, StringComparer.Ordinal)
                    && TryId(g[2], out var extra) && extra != gid && !additional.Contains(extra))
                {
                    additional.Add(extra);
                }
            }
        }

        foreach (string g in groupAdd ?? [])
        {
            uint extra;
            if (!TryId(g, out extra))
            {
                var entry = groups.FirstOrDefault(e => e.Length >= 3 && e[0] == g)
                    ?? throw EngineException.Invalid($"unable to find group {g}: no matching entries in group file");
                if (!TryId(entry[2], out extra))
                {
                    throw EngineException.Invalid($"invalid group entry for {g} in the container's /etc/group");
                }
            }
            if (!additional.Contains(extra))
            {
                additional.Add(extra);
            }
        }

        return new OciUser { Uid = uid, Gid = gid, AdditionalGids = additional.Count > 0 ? additional : null };
    }

    private static bool TryId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private static List<string[]> Parse(string? text) =>
        text is null
            ? []
            : text.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split(':'))
                .ToList();
}
