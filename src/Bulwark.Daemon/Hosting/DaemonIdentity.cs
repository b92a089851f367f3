using System.Security.Cryptography;

namespace Bulwark.Daemon.Hosting;

/// <summary>A stable random id per data root (shown by /info, and naming this daemon's cgroup parent).</summary>
internal static class DaemonIdentity
{
    public static string LoadOrCreate(string dataRoot)
    {
        string path = Path.Combine(dataRoot, "engine-id");
        if (File.Exists(path))
        {
            string id = File.ReadAllText(path).Trim();
            if (id.Length == 64 && id.All(char.IsAsciiHexDigitLower))
            {
                return id;
            }
        }
        string fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, fresh);
        File.Move(tmp, path, overwrite: true);
        return fresh;
    }
}
