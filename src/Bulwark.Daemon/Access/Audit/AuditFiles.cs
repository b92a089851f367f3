using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Daemon.Access.Audit;

/// <summary>Where the audit log lives: its directory of numbered files, the seal key and the last-seal state beside it.</summary>
internal sealed class AuditFiles(string dataRoot)
{
    public string Directory { get; } = Path.Combine(dataRoot, "audit");
    public string KeyPath { get; } = Path.Combine(dataRoot, "audit-seal.key");
    public string StatePath { get; } = Path.Combine(dataRoot, "audit-seal.state");

    public string PathOf(int index) => Path.Combine(Directory, AuditLog.FilePrefix + index.ToString("D6", CultureInfo.InvariantCulture) + AuditLog.FileSuffix);

    /// <summary>The log's files in order.</summary>
    public List<(int Index, string Path)> List()
    {
        var files = new List<(int, string)>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return files;
        }
        foreach (string f in System.IO.Directory.EnumerateFiles(Directory, AuditLog.FilePrefix + "*" + AuditLog.FileSuffix))
        {
            string n = Path.GetFileName(f)[AuditLog.FilePrefix.Length..^AuditLog.FileSuffix.Length];
            if (int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                files.Add((index, f));
            }
        }
        files.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }

    /// <summary>The lines of one file (without newlines); a final line without a newline is returned too.</summary>
    public static IEnumerable<byte[]> Lines(string path)
    {
        byte[] all = File.ReadAllBytes(path);
        int start = 0;
        while (start < all.Length)
        {
            int nl = Array.IndexOf(all, (byte)'\n', start);
            int end = nl < 0 ? all.Length : nl;
            yield return all[start..end];
            start = end + 1;
        }
    }

    public byte[] LoadOrCreateKey()
    {
        if (File.Exists(KeyPath))
        {
            return Convert.FromHexString(File.ReadAllText(KeyPath).Trim());
        }
        byte[] key = RandomNumberGenerator.GetBytes(32);
        WriteAtomically(KeyPath, Convert.ToHexStringLower(key) + "\n");
        return key;
    }

    /// <summary>The key, or null when there is none yet (a log that was never sealed).</summary>
    public byte[]? TryLoadKey() => File.Exists(KeyPath) ? Convert.FromHexString(File.ReadAllText(KeyPath).Trim()) : null;

    public void WriteSealState(long seq, string hash) =>
        WriteAtomically(StatePath, seq.ToString(CultureInfo.InvariantCulture) + " " + hash + "\n");

    public (long Seq, string Hash)? ReadSealState()
    {
        if (!File.Exists(StatePath))
        {
            return null;
        }
        string[] f = File.ReadAllText(StatePath).Trim().Split(' ');
        return f.Length == 2 && long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out long seq) ? (seq, f[1]) : null;
    }

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + ".tmp";
        using (var fs = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            fs.Write(Encoding.ASCII.GetBytes(text));
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
