using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Hosting;

/// <summary>
/// The default socket, /run/bulwark/bulwark.sock, lives in the exec root, which is root's alone (0700): members of the
/// API group could not reach their 0660 socket. When the socket is directly in the exec root, the exec root becomes
/// root:group 0710 (members pass through to the socket; they cannot list or write), and every other entry in it is
/// closed to group and others first (directories 0700), so passing through reaches the socket and nothing else.
/// </summary>
internal static class ExecRootSocketDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Directories the engine makes in the exec root on demand: made now, 0700, so they never appear open.</summary>
    private static readonly string[] OnDemandDirectories = ["c", "e", "netns", "runtime"];

    /// <summary>True when <paramref name="socketPath"/> is directly in <paramref name="execRoot"/>.</summary>
    public static bool Applies(string execRoot, string socketPath) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(execRoot)), Path.GetDirectoryName(Path.GetFullPath(socketPath)), StringComparison.Ordinal);

    /// <summary>Opens the exec root to <paramref name="group"/> for traversal only (nothing to do for another socket path).</summary>
    public static void OpenToGroup(string execRoot, string socketPath, string group)
    {
        if (!Applies(execRoot, socketPath) || UnixSocketListener.LookupGroup(group) is not int gid)
        {
            return; // Without the group the socket stays root-only; UnixSocketListener warns about that.
        }

        foreach (string name in OnDemandDirectories)
        {
            string dir = Path.Combine(execRoot, name);
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir);
                File.SetUnixFileMode(dir, OwnerOnly);
            }
        }

        string socketName = Path.GetFileName(socketPath);
        foreach (string entry in Directory.EnumerateFileSystemEntries(execRoot))
        {
            if (Path.GetFileName(entry) == socketName)
            {
                continue;
            }

            var info = new FileInfo(entry);
            if (info.LinkTarget is null && (info.UnixFileMode & GroupOrOther) != 0)
            {
                File.SetUnixFileMode(entry, info.UnixFileMode & ~GroupOrOther);
            }
        }

        if (Bulwark.Native.Interop.Fchownat(-100, execRoot, 0, (uint)gid, 0) != 0)
        {
            throw new EngineException(ErrorKind.InvalidArgument, $"cannot give the exec root {execRoot} to group {group} for the API socket");
        }

        File.SetUnixFileMode(execRoot, OwnerOnly | UnixFileMode.GroupExecute);
    }
}
