using System.Security.Cryptography;
using System.Text;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Collection;
using Bulwark.Engine.Images.Layers;
using Bulwark.Engine.Images.Store;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images.Ingest;

/// <summary>
/// Unpacked layers: &lt;dataRoot&gt;/snapshots/&lt;chain id hex&gt;, one per layer chain, written once into a
/// snapshots/tmp-* directory, its diff id verified, then renamed into place.
/// </summary>
internal sealed class LayerSnapshots(ContentStore content, ImageStore store, string snapshotsRoot, ILogger logger)
{
    /// <summary>chainid(n) = sha256(chainid(n-1) + " " + diffid(n)).</summary>
    public static Digest ChainId(Digest parent, Digest diffId) => Digest.Compute(Encoding.ASCII.GetBytes(parent.Value + " " + diffId.Value));

    /// <summary>
    /// Unpacks a layer blob into snapshots/&lt;chain hex&gt; unless it is there already. Returns the unpacked size and the
    /// blob's compression.
    /// </summary>
    public async Task<(long Size, LayerCompression Compression)> EnsureAsync(Digest chainId, Digest diffId, Digest blob, CancellationToken ct)
    {
        string final = Path.Combine(snapshotsRoot, chainId.Hex);
        if (Directory.Exists(final))
        {
            // The snapshot is there, but this blob is new to it: it must still hash to the diff id it claims.
            var (actual, compression) = await Task.Run(() => DiffIdOf(blob), ct).ConfigureAwait(false);
            if (actual != diffId)
            {
                throw EngineException.Invalid($"layer {blob}: diff id mismatch (config says {diffId}, content is {actual})");
            }

            long known = store.Tables.Images.Values.SelectMany(i => i.Layers).FirstOrDefault(l => l.ChainId == chainId.Value)?.UnpackedSize
                ?? DirectorySize(final);
            return (known, compression);
        }

        string tmp = Path.Combine(snapshotsRoot, "tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            var result = await Task.Run(() => LayerApplier.Apply(content.OpenRead(blob), tmp, blob.Value, ct), ct).ConfigureAwait(false);
            if (result.DiffId != diffId)
            {
                throw EngineException.Invalid($"layer {blob}: diff id mismatch (config says {diffId}, content is {result.DiffId})");
            }

            Directory.Move(tmp, final);
            ContentWriter.FsyncDirectory(snapshotsRoot);
            return (result.Size, result.Compression);
        }
        catch
        {
            ImageGarbageCollector.TryDeleteDirectory(tmp, logger);
            throw;
        }
    }

    private (Digest DiffId, LayerCompression Compression) DiffIdOf(Digest blob)
    {
        try
        {
            using var tar = LayerStreams.OpenDecompressed(content.OpenRead(blob), $"layer {blob}", out var compression);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = tar.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.AppendData(buffer, 0, n);
            }

            return (Digest.FromHash(sha.GetHashAndReset()), compression);
        }
        catch (Exception ex) when (ex is InvalidDataException or ZstdSharp.ZstdException)
        {
            throw EngineException.Invalid($"layer {blob}: corrupt compressed data: {ex.Message}");
        }
    }

    private static long DirectorySize(string dir)
    {
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", options))
        {
            if (f.LinkTarget is null)
            {
                total += f.Length;
            }
        }

        return total;
    }
}
