using System.Security.Cryptography;
using Bulwark.Engine.Errors;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Content;

/// <summary>
/// One blob being ingested: bytes go to a temp file under content/ingest while being hashed;
/// <see cref="CommitAsync(Digest?, string, CancellationToken)"/> checks the digest, fsyncs, renames into blobs/sha256, fsyncs the directory
/// and makes the blob read-only (0444). Disposing without commit deletes the temp file.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "The design names it ContentWriter")]
public sealed class ContentWriter : Stream
{
    private readonly ContentStore store;
    private readonly string tempPath;
    private readonly FileStream file;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool done;

    internal ContentWriter(ContentStore store, string tempPath)
    {
        this.store = store;
        this.tempPath = tempPath;
        file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16,
            FileOptions.Asynchronous);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !done;

    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        hash.AppendData(buffer);
        file.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        hash.AppendData(buffer.Span);
        await file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Verifies against <paramref name="expected"/> (when given) and publishes the blob.</summary>
    public Task<BlobInfo> CommitAsync(Digest? expected, CancellationToken ct) =>
        CommitAsync(expected, expected is { } e ? $"blob {e}" : "blob", ct);

    /// <summary>As <see cref="CommitAsync(Digest?, CancellationToken)"/>; <paramref name="subject"/> names the blob in errors.</summary>
    public async Task<BlobInfo> CommitAsync(Digest? expected, string subject, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(done, this);
        await file.FlushAsync(ct).ConfigureAwait(false);
        var digest = Digest.FromHash(hash.GetHashAndReset());
        long size = file.Length;
        if (expected is { } want && want != digest)
        {
            Abort();
            throw EngineException.Invalid($"{subject}: digest mismatch (expected {want}, content is {digest})");
        }

        file.Flush(flushToDisk: true);
        await file.DisposeAsync().ConfigureAwait(false);
        done = true;
        string target = store.BlobPath(digest);
        if (File.Exists(target))
        {
            File.Delete(tempPath);
            return new BlobInfo(digest, size);
        }

        Errno.ThrowIfFailed(Interop.Fchmodat(Interop.AtFdCwd, tempPath, 0x124, 0), "chmod", tempPath);
        File.Move(tempPath, target, overwrite: true);
        FsyncDirectory(Path.GetDirectoryName(target)!);
        return new BlobInfo(digest, size);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !done)
        {
            Abort();
        }

        hash.Dispose();
        base.Dispose(disposing);
    }

    private void Abort()
    {
        done = true;
        file.Dispose();
        try
        {
            File.Delete(tempPath);
        }
        catch (IOException)
        {
            // nothing more can be done; ContentStore removes stale ingest files at startup
        }
    }

    internal static void FsyncDirectory(string dir)
    {
        int fd = Interop.Openat(Interop.AtFdCwd, dir, Interop.ORdOnly | Interop.ODirectory | Interop.OCloExec, 0);
        Errno.ThrowIfFailed(fd, "open", dir);
        using var h = new SafeFileHandle(fd, ownsHandle: true);
        Errno.ThrowIfFailed(Interop.Fsync(fd), "fsync", dir);
    }
}
