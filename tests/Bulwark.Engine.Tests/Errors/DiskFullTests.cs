using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Errors;

public sealed class DiskFullTests
{
    [Fact]
    public void Is_RecognisesTheIOExceptionDotNetThrowsForENOSPC()
    {
        // /dev/full answers every write with ENOSPC: the exception the runtime makes of it, not one built by hand.
        using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        var ex = Assert.ThrowsAny<IOException>(() => full.Write(new byte[16]));
        Assert.True(DiskFull.Is(ex), $"HResult {ex.HResult}: {ex.Message}");
    }

    [Fact]
    public void Is_RecognisesENOSPCAndEDQUOTFromSyscalls_ButNotOtherErrors()
    {
        Assert.True(DiskFull.Is(new ErrnoException(Errno.ENOSPC, "write", "/x")));
        Assert.True(DiskFull.Is(new ErrnoException(Errno.EDQUOT, "write", "/x")));
        Assert.False(DiskFull.Is(new ErrnoException(Errno.EACCES, "open", "/x")));
        Assert.True(DiskFull.Is(DiskFull.Error(null, "/x", new IOException("full", Errno.ENOSPC))));
        Assert.False(DiskFull.Is(new FileNotFoundException("gone")));
        Assert.False(DiskFull.Is(EngineException.Invalid("bad")));
        Assert.False(DiskFull.Is(new InvalidOperationException("no")));
    }

    [Fact]
    public void Error_NamesTheSubjectThePathAndTheFullFilesystem_AsAnInternalError()
    {
        var e = DiskFull.Error("import layer", "/var/lib/bulwark/content/ingest", new IOException("No space left on device", Errno.ENOSPC));
        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.Equal("import layer: no space left on device: /var/lib/bulwark/content/ingest (the filesystem of the data root is full)", e.Message);
    }
}
