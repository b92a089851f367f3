using System.Collections.Concurrent;
using System.Globalization;
using Bulwark.Daemon.Http;

namespace Bulwark.Daemon.Access;

/// <summary>
/// Turns a connection's peer (SO_PEERCRED or a client certificate) into a <see cref="CallerIdentity"/>: the user name
/// and groups of a uid come from /etc/passwd and /etc/group (primary and supplementary groups), cached for a minute.
/// </summary>
internal sealed class IdentityResolver(string etc = "/etc")
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(int Uid, int Gid), (CallerIdentity Identity, DateTime Until)> _cache = new();

    public CallerIdentity Resolve(ConnectionPeer peer)
    {
        if (peer.CertificateName is { } cn)
        {
            return new CallerIdentity("cert:" + cn, peer.Transport, ["cert:" + cn]) { RemoteAddress = peer.RemoteAddress };
        }
        if (peer.Uid is not int uid)
        {
            return new CallerIdentity("unknown", peer.Transport, []) { RemoteAddress = peer.RemoteAddress };
        }
        int gid = peer.Gid ?? -1;
        if (!_cache.TryGetValue((uid, gid), out var cached) || cached.Until < DateTime.UtcNow)
        {
            cached = (Lookup(uid, gid, peer.Transport), DateTime.UtcNow + CacheFor);
            _cache[(uid, gid)] = cached;
        }
        return cached.Identity with { Pid = peer.Pid };
    }

    private CallerIdentity Lookup(int uid, int gid, string transport)
    {
        string uidText = uid.ToString(CultureInfo.InvariantCulture);
        string? user = null;
        foreach (string[] f in Entries("passwd"))
        {
            if (f.Length >= 3 && f[2] == uidText)
            {
                user = f[0];
                break;
            }
        }
        var subjects = new List<string> { "uid:" + uidText };
        if (user is not null)
        {
            subjects.Add("user:" + user);
        }
        string gidText = gid.ToString(CultureInfo.InvariantCulture);
        foreach (string[] f in Entries("group"))
        {
            if (f.Length >= 4 && (f[2] == gidText || (user is not null && f[3].Split(',').Contains(user))))
            {
                subjects.Add("group:" + f[0]);
            }
        }
        string name = user is null ? "uid:" + uidText : $"uid:{uidText} ({user})";
        return new CallerIdentity(name, transport, subjects) { Uid = uid };
    }

    private IEnumerable<string[]> Entries(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(etc, file));
        }
        catch (IOException)
        {
            yield break;
        }
        foreach (string line in lines)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                yield return line.Split(':');
            }
        }
    }
}
