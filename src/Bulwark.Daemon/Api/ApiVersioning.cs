namespace Bulwark.Daemon.Api;

/// <summary>The API versions we speak: an honest minimum and the version whose features exist.</summary>
internal static class ApiVersioning
{
    public const string Max = "1.44";
    public const string Min = "1.24";

    public static int Compare(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (int i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            int x = i < pa.Length && int.TryParse(pa[i], out int xa) ? xa : 0;
            int y = i < pb.Length && int.TryParse(pb[i], out int yb) ? yb : 0;
            if (x != y)
            {
                return x.CompareTo(y);
            }
        }
        return 0;
    }

    /// <summary>Splits an optional <c>/v1.xx</c> prefix off a path.</summary>
    public static (string? Version, string Remainder) SplitVersion(string path)
    {
        if (path.Length > 2 && path[1] == 'v' && char.IsAsciiDigit(path[2]))
        {
            int slash = path.IndexOf('/', 1);
            string v = slash < 0 ? path[2..] : path[2..slash];
            if (v.All(c => char.IsAsciiDigit(c) || c == '.'))
            {
                return (v, slash < 0 ? "/" : path[slash..]);
            }
        }
        return (null, path);
    }

    /// <summary>Docker's content type for attach/exec/logs streams: multiplexed without a TTY from API 1.42 on.</summary>
    public static string StreamContentType(bool tty, string apiVersion) =>
        !tty && Compare(apiVersion, "1.42") >= 0 ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream";
}
