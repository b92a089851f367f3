using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Content;

/// <summary>Content-addressed blobs at &lt;dataRoot&gt;/content/blobs/sha256/&lt;hex&gt;, immutable once written.</summary>
public sealed class ContentStore
{
    public ContentStore(string dataRoot)
    {
        Root = Path.Combine(dataRoot, "content");
        BlobDirectory = Path.Combine(Root, "blobs", "sha256");
        IngestDirectory = Path.Combine(Root, "ingest");
        Directory.CreateDirectory(BlobDirectory);
        Directory.CreateDirectory(IngestDirectory);
    }

    public string Root { get; }

    public string BlobDirectory { get; }

    public string IngestDirectory { get; }

    public string BlobPath(Digest digest) => Path.Combine(BlobDirectory, digest.Hex);

    public bool Exists(Digest digest) => File.Exists(BlobPath(digest));

    public long Size(Digest digest) => new FileInfo(BlobPath(digest)).Length;

    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw EngineException.NotFound($"blob {digest}: not in the content store");
        }
    }

    public byte[] ReadAllBytes(Digest digest)
    {
        using var s = OpenRead(digest);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Starts ingesting one blob into a temp file; <paramref name="subject"/> names it in errors.</summary>
    public ContentWriter OpenWriter(string subject = "blob") =>
        new(this, Path.Combine(IngestDirectory, "ingest-" + Guid.NewGuid().ToString("N")), subject);

    /// <summary>Copies <paramref name="source"/> into the store, verifying <paramref name="expected"/> when given.</summary>
    public Task<BlobInfo> WriteAsync(Stream source, Digest? expected, CancellationToken ct) =>
        WriteAsync(source, expected, expected is { } e ? $"blob {e}" : "blob", ct);

    /// <summary>As above; <paramref name="subject"/> names the blob in errors ("layer sha256:…").</summary>
    public async Task<BlobInfo> WriteAsync(Stream source, Digest? expected, string subject, CancellationToken ct)
    {
        if (expected is { } e && Exists(e))
        {
            // Already present and verified when it was written: skip the copy.
            return new BlobInfo(e, Size(e));
        }

        await using var w = OpenWriter(subject);
        await source.CopyToAsync(w, 1 << 16, ct).ConfigureAwait(false);
        return await w.CommitAsync(expected, subject, ct).ConfigureAwait(false);
    }

    public async Task<BlobInfo> WriteAsync(ReadOnlyMemory<byte> data, Digest? expected, CancellationToken ct)
    {
        await using var w = OpenWriter();
        await w.WriteAsync(data, ct).ConfigureAwait(false);
        return await w.CommitAsync(expected, ct).ConfigureAwait(false);
    }

    public IReadOnlyList<Digest> List()
    {
        var list = new List<Digest>();
        foreach (var f in Directory.EnumerateFiles(BlobDirectory))
        {
            if (Digest.TryParse("sha256:" + Path.GetFileName(f), out var d))
            {
                list.Add(d);
            }
        }

        return list;
    }

    public void Delete(Digest digest) => File.Delete(BlobPath(digest));

    /// <summary>Removes ingest temp files left by a crash (call only when no ingest is running).</summary>
    public void CleanIngest()
    {
        foreach (var f in Directory.EnumerateFiles(IngestDirectory))
        {
            File.Delete(f);
        }
    }
}
