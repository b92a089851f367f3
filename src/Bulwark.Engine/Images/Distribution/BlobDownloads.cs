using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Registry;

namespace Bulwark.Engine.Images.Distribution;

/// <summary>Blob downloads from a registry: counted against the descriptor's size, verified against the digest, committed whole or not at all.</summary>
internal sealed class BlobDownloads(ContentStore content)
{
    private const int MaxConfigBytes = 8 * 1024 * 1024;

    public async Task DownloadBlobAsync(RegistryClient client, string path, OciDescriptor desc, Digest digest,
        IProgress<RegistryProgress>? progress, CancellationToken ct)
    {
        long total = desc.Size;
        var body = await client.OpenBlobAsync(path, digest, ct).ConfigureAwait(false);
        var counted = new ProgressReadStream(body, total > 0 ? total : long.MaxValue, $"layer {digest}",
            n => progress?.Report(new RegistryProgress(RegistryProgressKind.Downloading, digest.Short, n, total)));
        await using (counted.ConfigureAwait(false))
        {
            await using var w = content.OpenWriter();
            try
            {
                await counted.CopyToAsync(w, 1 << 16, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                throw new EngineException(ErrorKind.Unavailable,
                    $"layer {digest}: download interrupted after {counted.BytesRead} of {total} bytes: {ex.Message}; nothing was stored", ex);
            }

            if (total > 0 && counted.BytesRead != total)
            {
                throw EngineException.Invalid($"layer {digest}: size mismatch ({counted.BytesRead} bytes, descriptor says {total}); nothing was stored");
            }

            progress?.Report(new RegistryProgress(RegistryProgressKind.VerifyingChecksum, digest.Short));
            await w.CommitAsync(digest, $"layer {digest}", ct).ConfigureAwait(false);
        }

        progress?.Report(new RegistryProgress(RegistryProgressKind.DownloadComplete, digest.Short));
    }

    public static async Task<byte[]> DownloadSmallBlobAsync(RegistryClient client, string path, OciDescriptor desc, Digest digest,
        CancellationToken ct)
    {
        long limit = desc.Size > 0 ? Math.Min(desc.Size, MaxConfigBytes) : MaxConfigBytes;
        var body = await client.OpenBlobAsync(path, digest, ct).ConfigureAwait(false);
        var counted = new ProgressReadStream(body, limit, $"config {digest}", null);
        await using (counted.ConfigureAwait(false))
        {
            using var ms = new MemoryStream();
            try
            {
                await counted.CopyToAsync(ms, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                throw new EngineException(ErrorKind.Unavailable, $"config {digest}: download interrupted: {ex.Message}", ex);
            }

            byte[] bytes = ms.ToArray();
            var actual = Digest.Compute(bytes);
            if (actual != digest)
            {
                throw EngineException.Invalid($"config {digest}: digest mismatch (content is {actual}); nothing was stored");
            }

            return bytes;
        }
    }
}
