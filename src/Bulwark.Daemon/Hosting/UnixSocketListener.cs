using System.Net.Sockets;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Hosting;

/// <summary>
/// Creates the API socket: in a root-owned directory nobody else may write (created 0755 whatever the umask; an
/// existing one that is group- or world-writable or not root's is refused), never stealing a live socket,
/// mode 0660, group-owned by the API group.
/// </summary>
internal static class UnixSocketListener
{
    private const uint GroupOrWorldWritable = 0b000_010_010;

    public static Socket Bind(string path, string group, out string? warning)
    {
        warning = null;
        EnsureSafeDirectory(Path.GetDirectoryName(path)!);
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

    /// <summary>
    /// Creates missing directories 0755 (chmod after mkdir, so the umask does not matter), then checks the socket's
    /// directory: another user who can write there could replace the socket with their own.
    /// </summary>
    internal static void EnsureSafeDirectory(string dir)
    {
        var missing = new Stack<string>();
        for (string? d = dir; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            missing.Push(d);
        }
        while (missing.TryPop(out string? d))
        {
            Directory.CreateDirectory(d);
            File.SetUnixFileMode(d, (UnixFileMode)0b111_101_101);
        }
        if (Bulwark.Native.Interop.Fstatat(-100, dir, out var st, 0) != 0)
        {
            throw new EngineException(ErrorKind.InvalidArgument, $"cannot check the API socket directory {dir}");
        }
        if ((st.Mode & GroupOrWorldWritable) != 0)
        {
            throw new EngineException(ErrorKind.InvalidArgument,
                $"refusing to put the API socket in {dir}: the directory is group- or world-writable (mode {Convert.ToString(st.Mode & 0xFFF, 8)}), " +
                "so another user could replace the socket; use a directory only root can write (chmod go-w, or the default /run/bulwark)");
        }
        if (st.Uid != 0)
        {
            throw new EngineException(ErrorKind.InvalidArgument,
                $"refusing to put the API socket in {dir}: the directory belongs to uid {st.Uid}, not root, who could replace the socket");
        }
    }

    internal static int? LookupGroup(string group)
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
