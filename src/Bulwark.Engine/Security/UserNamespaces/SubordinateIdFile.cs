using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Security.UserNamespaces;

/// <summary>/etc/subuid or /etc/subgid: "name:start:count" lines. Reads, finds free ranges, appends atomically.</summary>
public sealed class SubordinateIdFile(string path)
{
    public const uint MinimumStart = 100000;

    public string Path { get; } = path;

    public IReadOnlyList<(string Owner, uint Start, uint Count)> Read()
    {
        var result = new List<(string, uint, uint)>();
        if (!File.Exists(Path))
        {
            return result;
        }

        foreach (var raw in File.ReadAllLines(Path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var f = line.Split(':');
            if (f.Length == 3
                && uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                result.Add((f[0], start, count));
            }
        }

        return result;
    }

    /// <summary>The first range of <paramref name="count"/> ids owned by <paramref name="owner"/> (by name or uid), or null.</summary>
    public (uint Start, uint Count)? Find(string owner, string? ownerId, uint count)
    {
        foreach (var (o, start, c) in Read())
        {
            if ((o == owner || (ownerId is not null && o == ownerId)) && c >= count)
            {
                return (start, c);
            }
        }

        return null;
    }

    /// <summary>The lowest start ≥ 100000 where <paramref name="count"/> ids overlap no range of any of the files.</summary>
    public static uint FreeStart(IEnumerable<SubordinateIdFile> files, uint count)
    {
        var taken = files.SelectMany(f => f.Read()).Select(r => ((ulong)r.Start, (ulong)r.Start + r.Count)).OrderBy(r => r.Item1).ToList();
        ulong candidate = MinimumStart;
        foreach (var (start, end) in taken)
        {
            if (candidate + count <= start)
            {
                break;
            }

            if (end > candidate)
            {
                candidate = end;
            }
        }

        if (candidate + count > uint.MaxValue)
        {
            throw new EngineException(ErrorKind.Internal, "no free subordinate id range left for user namespace remapping");
        }

        return (uint)candidate;
    }

    /// <summary>Appends "owner:start:count" (temp file in the same directory, fsync, rename; mode 0644).</summary>
    public void Append(string owner, uint start, uint count)
    {
        string existing = File.Exists(Path) ? File.ReadAllText(Path) : "";
        if (existing.Length > 0 && !existing.EndsWith('\n'))
        {
            existing += "\n";
        }

        string tmp = Path + ".bulwark-tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        using (var w = new StreamWriter(fs))
        {
            w.Write(existing);
            w.Write(string.Create(CultureInfo.InvariantCulture, $"{owner}:{start}:{count}\n"));
            w.Flush();
            fs.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(tmp, Path, overwrite: true);
    }
}
