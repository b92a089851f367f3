using System.Security.Cryptography;
using Bulwark.Engine.Errors;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Content;

/// <summary>
/// One blob being ingested: bytes go to a temp file under content/ingest while being hashed;
/// <see cref="CommitAsync(Digest?, string, CancellationToken)"/> checks the digest, fsyncs, renames into blobs/sha256, fsyncs the directory
/// and makes the blob read-only (0444). Disposing without commit deletes the temp file. A write that finds the
/// filesystem full deletes the temp file at once (its space is what the next operation needs) and throws the
/// <see cref="DiskFull"/> error naming the ingest directory.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "The design names it ContentWriter")]
public sealed class ContentWriter : Stream
{
    private readonly ContentStore store;
    private readonly string tempPath;
    private readonly string subject;
    private readonly FileStream file;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool done;

    internal ContentWriter(ContentStore store, string tempPath, string subject)
    {
        this.store = store;
        this.tempPath = tempPath;
        this.subject = subject;
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
        try
        {
            file.Write(buffer);
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            throw AbortFull(ex, subject);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        hash.AppendData(buffer.Span);
        try
        {
            await file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            throw AbortFull(ex, subject);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        try
        {
            file.Flush();
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            throw AbortFull(ex, subject);
        }
    }

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
        try
        {
            await file.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            throw AbortFull(ex, subject);
        }

        var digest = Digest.FromHash(hash.GetHashAndReset());
        long size = file.Length;
        if (expected is { } want && want != digest)
        {
            Abort();
            throw EngineException.Invalid($"{subject}: digest mismatch (expected {want}, content is {digest})");
        }

        try
        {
            // fsync: where blocks are allocated late (ext4 delalloc, XFS) this is where a full disk shows.
            file.Flush(flushToDisk: true);
            await file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            throw AbortFull(ex, subject);
        }

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
        try
        {
            // Disposing writes out what is still buffered; on a full disk that fails again, yet the handle is
            // closed all the same, and the file goes below either way.
            file.Dispose();
        }
        catch (IOException)
        {
        }
        finally
        {
            try
            {
                File.Delete(tempPath);
            }
            catch (IOException)
            {
                // nothing more can be done; ContentStore removes stale ingest files at startup
            }
        }
    }

    private EngineException AbortFull(IOException cause, string what)
    {
        Abort();
        return DiskFull.Error(what, store.IngestDirectory, cause);
    }

    internal static void FsyncDirectory(string dir)
    {
        int fd = Interop.Openat(Interop.AtFdCwd, dir, Interop.ORdOnly | Interop.ODirectory | Interop.OCloExec, 0);
        Errno.ThrowIfFailed(fd, "open", dir);
        using var h = new SafeFileHandle(fd, ownsHandle: true);
        Errno.ThrowIfFailed(Interop.Fsync(fd), "fsync", dir);
    }
}
