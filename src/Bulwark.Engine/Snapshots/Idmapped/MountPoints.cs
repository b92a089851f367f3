using System.Text;
using Bulwark.Native;

namespace Bulwark.Engine.Snapshots.Idmapped;

/// <summary>The mount points of this mount namespace, read from /proc/self/mountinfo.</summary>
public static class MountPoints
{
    /// <summary>Mount points strictly below <paramref name="directory"/> (one read of mountinfo).</summary>
    public static HashSet<string> Under(string directory)
    {
        string prefix = Path.GetFullPath(directory).TrimEnd('/') + "/";
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                string point = Unescape(fields[4]);
                if (point.StartsWith(prefix, StringComparison.Ordinal))
                {
                    result.Add(point);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Detaches every mount stacked on <paramref name="point"/> (MNT_DETACH: busy mounts go when their last user does;
    /// the submounts go with them) until the kernel answers that it is no mount point. Reads no mount table.
    /// </summary>
    public static void DetachAll(string point)
    {
        while (Interop.Umount2(point, Interop.MntDetach) == 0)
        {
        }

        int e = Errno.Last;
        if (e is not (Errno.EINVAL or Errno.ENOENT))
        {
            throw new ErrnoException(e, "umount", point);
        }
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    public static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length)
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}
