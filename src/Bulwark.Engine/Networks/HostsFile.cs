using System.Text;

namespace Bulwark.Engine.Networks;

/// <summary>One line of a container's /etc/hosts: an address and the names that resolve to it.</summary>
public sealed record HostsEntry(string Address, IReadOnlyList<string> Names);

/// <summary>
/// Name resolution without a DNS server: each container on a network gets its own names and every peer's (name,
/// short id, aliases) in /etc/hosts. The file is bind-mounted, so updates are written in place (same inode).
/// </summary>
public static class HostsFile
{
    public const string Header = "# written by bulwarkd: this container and its peers on bulwark networks\n";

    public static string Render(IEnumerable<HostsEntry> own, IEnumerable<HostsEntry> peers)
    {
        var sb = new StringBuilder(Header);
        sb.Append("127.0.0.1\tlocalhost\n");
        foreach (var e in own.Concat(peers))
        {
            var names = e.Names.Where(IsValidName).Distinct(StringComparer.Ordinal).ToList();
            if (names.Count > 0)
            {
                sb.Append(e.Address).Append('\t').Append(string.Join(' ', names)).Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// A host name as /etc/hosts can carry it: no whitespace, no '#', no control characters (a name with a newline
    /// must never inject a line).
    /// </summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 253 && name.All(c => c > ' ' && c < 0x7F && c != '#');

    /// <summary>Replaces the file's content keeping its inode (it is bind-mounted into running containers).</summary>
    public static void WriteInPlace(string path, string content)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        using var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        fs.Write(bytes);
        fs.SetLength(bytes.Length);
        fs.Flush(flushToDisk: false);
    }
}
