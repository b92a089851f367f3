using Bulwark.Daemon.Hosting;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Tests.Hosting;

/// <summary>The socket's directory: created 0755 whatever the umask; a directory others can write is refused.</summary>
public sealed class UnixSocketListenerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bw-sock-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void MissingDirectories_AreCreated0755_EvenUnderUmask000()
    {
        string dir = Path.Combine(_root, "a", "b");
        // Directory.CreateDirectory asks for 0777; under umask 000 that is what a plain mkdir would leave.
        uint old = Bulwark.Native.Interop.Umask(0);
        try
        {
            UnixSocketListener.EnsureSafeDirectory(dir);
        }
        finally
        {
            Assert.Equal(0u, Bulwark.Native.Interop.Umask(old));
        }
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(dir));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.GetDirectoryName(dir)!));
    }

    [Fact]
    public void WorldWritableDirectory_IsRefusedNamingIt()
    {
        string dir = Path.Combine(_root, "open");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        var ex = Assert.Throws<EngineException>(() => UnixSocketListener.Bind(Path.Combine(dir, "api.sock"), "root", out _));
        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
        Assert.Contains("writable", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "api.sock")));
    }

    [Fact]
    public void Socket_Is0660()
    {
        using var socket = UnixSocketListener.Bind(Path.Combine(_root, "s", "api.sock"), "root", out _);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(Path.Combine(_root, "s", "api.sock")));
    }
}
