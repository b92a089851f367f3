using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Metadata;
using Bulwark.Engine.Tests.Images;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Metadata;

public sealed class AtomicFileTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();

    public void Dispose() => scratch.Dispose();

    [Fact]
    public void Write_ReplacesTheFile_AndLeavesNoTempFile()
    {
        string path = Path.Combine(scratch.Path, "record.json");
        AtomicFile.Write(path, Encoding.UTF8.GetBytes("{\"v\":1}"));
        AtomicFile.Write(path, Encoding.UTF8.GetBytes("{\"v\":2}"), durable: false);
        Assert.Equal("{\"v\":2}", File.ReadAllText(path));
        Assert.Equal(["record.json"], Directory.EnumerateFiles(scratch.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_DiskFullMidWrite_KeepsTheOldFileWhole_RemovesTheTempFileAtOnce_AndNamesTheFile()
    {
        string path = Path.Combine(scratch.Path, "record.json");
        AtomicFile.Write(path, Encoding.UTF8.GetBytes("{\"v\":1}"));
        // What a full disk does halfway through a record: some bytes are written, then ENOSPC.
        var ex = Assert.Throws<EngineException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(Encoding.UTF8.GetBytes("{\"v\":"));
            s.Flush();
            throw new IOException("No space left on device", Errno.ENOSPC);
        }));
        Assert.Equal($"no space left on device: {path} (the filesystem of the data root is full)", ex.Message);
        Assert.True(DiskFull.Is(ex));
        Assert.Equal("{\"v\":1}", File.ReadAllText(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }

    [Fact]
    public void Write_OtherFailureMidWrite_PassesItOn_AndRemovesTheTempFile()
    {
        string path = Path.Combine(scratch.Path, "record.json");
        AtomicFile.Write(path, Encoding.UTF8.GetBytes("old"));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(Encoding.UTF8.GetBytes("ne"));
            throw new InvalidOperationException("serializer failed");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }

    [Fact]
    public void Write_WithAMode_CreatesTheFileWithIt()
    {
        string path = Path.Combine(scratch.Path, "key");
        AtomicFile.Write(path, new byte[32], mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void RemoveLeftover_DeletesOnlyTheTempFile()
    {
        string path = Path.Combine(scratch.Path, "record.json");
        File.WriteAllText(path, "whole");
        File.WriteAllText(path + AtomicFile.TempSuffix, "ha");
        AtomicFile.RemoveLeftover(path);
        Assert.Equal("whole", File.ReadAllText(path));
        Assert.False(File.Exists(path + AtomicFile.TempSuffix));
    }
}
