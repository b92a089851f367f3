using System.Net.Sockets;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Hosting;

/// <summary>Creates the API socket: refuses to steal a live one, mode 0660, group-owned by the API group.</summary>
internal static class UnixSocketListener
{
    public static Socket Bind(string path, string group, out string? warning)
    {
        warning = null;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path))
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new EngineException(ErrorKind.Conflict, $"another daemon is already listening on {path}");
            }
            catch (SocketException)
            {
                File.Delete(path);
            }
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        int? gid = LookupGroup(group);
        if (gid is int g)
        {
            if (Bulwark.Native.Interop.Fchownat(-100, path, 0, (uint)g, 0) != 0)
            {
                warning = $"could not give {path} to group {group}";
            }
        }
        else
        {
            warning = $"group \"{group}\" does not exist: the API socket {path} is accessible to root only";
        }
        socket.Listen(512);
        return socket;
    }

    private static int? LookupGroup(string group)
    {
        try
        {
            foreach (string line in File.ReadLines("/etc/group"))
            {
                string[] f = line.Split(':');
                if (f.Length >= 3 && f[0] == group && int.TryParse(f[2], out int gid))
                {
                    return gid;
                }
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
