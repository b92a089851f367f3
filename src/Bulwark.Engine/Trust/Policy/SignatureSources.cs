using System.Net;
using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Registry;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// Finds signatures where containers/image looks for them: simple-signing signatures in the registries.d lookaside
/// (<c>&lt;lookaside&gt;/&lt;repository path&gt;@sha256=&lt;hex&gt;/signature-N</c>, N from 1 until the first missing one;
/// file, http and https), and cosign signatures as registry attachments (the <c>sha256-&lt;hex&gt;.sig</c> tag: one
/// simple-signing layer per signature, its signature in the <c>dev.cosignproject.cosign/signature</c> annotation; and the same
/// manifests attached as OCI 1.1 referrers). Every
/// download has a length limit, and every attachment blob is checked against its digest.
/// </summary>
public sealed class SignatureSources(RegistriesDirectory registries, Func<RegistryOptions> registryOptions) : IDisposable
{
    public const string SimpleSigningLayer = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    public const string CosignSignatureArtifact = "application/vnd.dev.cosign.artifact.sig.v1+json";
    private const int MaxSignatures = 64;
    private const int MaxSignatureBytes = 4 * 1024 * 1024;
    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public RegistriesDirectory Registries => registries;

    /// <summary>The lookaside directory or URL of one manifest digest ("file:///…/team/app@sha256=…").</summary>
    public static Uri LookasideFolder(Uri lookaside, ImageReference image, string digest)
    {
        string b = lookaside.ToString().TrimEnd('/');
        return new Uri($"{b}/{image.Path}@{digest.Replace(':', '=')}/");
    }

    /// <summary>The simple-signing signatures of <paramref name="digest"/> (raw OpenPGP messages), and where they were looked for.</summary>
    public async Task<(List<byte[]> Signatures, string Where)> LookasideAsync(ImageReference image, string digest, CancellationToken ct)
    {
        var entry = registries.For(image);
        if (entry.Lookaside is null)
        {
            return ([], "no lookaside configured for " + image.Repository);
        }

        var folder = LookasideFolder(entry.Lookaside, image, digest);
        var found = new List<byte[]>();
        for (int n = 1; n <= MaxSignatures; n++)
        {
            var uri = new Uri(folder, "signature-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            byte[]? sig = uri.IsFile ? ReadFile(uri.LocalPath) : await GetAsync(uri, ct).ConfigureAwait(false);
            if (sig is null)
            {
                break;
            }

            found.Add(sig);
        }

        return (found, folder.ToString());
    }

    /// <summary>
    /// The cosign signatures attached to <paramref name="digest"/>: each (payload, signature) pair, payload checked against its
    /// blob digest. First the legacy <c>sha256-&lt;hex&gt;.sig</c> tag, then the OCI 1.1 referrers of artifactType
    /// <see cref="CosignSignatureArtifact"/> (the referrers API, or the referrers tag schema <c>sha256-&lt;hex&gt;</c> when the
    /// registry has no such API).
    /// </summary>
    public async Task<(List<(byte[] Payload, byte[] Signature)> Signatures, string Where)> AttachmentsAsync(ImageReference image, string digest,
        RegistryClient? client, CancellationToken ct)
    {
        string tag = digest.Replace(':', '-') + ".sig";
        string where = $"{image.Repository}:{tag} and the referrers of {digest}";
        RegistryClient? own = null;
        try
        {
            if (client is null)
            {
                own = client = new RegistryClient(image.Domain, registryOptions(), null, push: false);
                await client.PingAsync(ct).ConfigureAwait(false);
            }

            var result = new List<(byte[], byte[])>();
            if (await ManifestOrNullAsync(client, image, tag, ct).ConfigureAwait(false) is { } legacy)
            {
                await AddSignaturesAsync(client, image, legacy, $"{image.Repository}:{tag}", result, ct).ConfigureAwait(false);
            }

            List<string> referrers;
            try
            {
                referrers = await CosignReferrersAsync(client, image, digest, ct).ConfigureAwait(false);
            }
            catch (EngineException) when (result.Count > 0)
            {
                return (result, where); // a registry that fails the referrers lookup does not void the .sig tag's signatures
            }

            foreach (string referrer in referrers)
            {
                if (result.Count >= MaxSignatures)
                {
                    break;
                }

                string display = $"{image.Repository}@{referrer}";
                if (await ManifestOrNullAsync(client, image, referrer, ct).ConfigureAwait(false) is { } manifest
                    && Digest.Compute(manifest).Value == referrer && SubjectIs(manifest, digest))
                {
                    await AddSignaturesAsync(client, image, manifest, display, result, ct).ConfigureAwait(false);
                }
            }

            return (result, where);
        }
        finally
        {
            own?.Dispose();
        }
    }

    private static async Task<byte[]?> ManifestOrNullAsync(RegistryClient client, ImageReference image, string reference, CancellationToken ct)
    {
        try
        {
            (byte[] bytes, _, _) = await client.GetManifestAsync(image.Path, reference, $"{image.Repository}:{reference}", ct).ConfigureAwait(false);
            return bytes;
        }
        catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>The digests of the cosign signature manifests that refer to <paramref name="digest"/>.</summary>
    private static async Task<List<string>> CosignReferrersAsync(RegistryClient client, ImageReference image, string digest, CancellationToken ct)
    {
        byte[]? index = await client.GetReferrersAsync(image.Path, digest, CosignSignatureArtifact, ct).ConfigureAwait(false)
            ?? await ManifestOrNullAsync(client, image, digest.Replace(':', '-'), ct).ConfigureAwait(false);
        var found = new List<string>();
        if (index is null)
        {
            return found;
        }

        try
        {
            using var doc = JsonDocument.Parse(index);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("manifests", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                return found;
            }

            foreach (var m in list.EnumerateArray())
            {
                if (m.ValueKind == JsonValueKind.Object && m.TryGetProperty("artifactType", out var at) && at.ValueKind == JsonValueKind.String
                    && at.GetString() == CosignSignatureArtifact && m.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String
                    && Digest.TryParse(d.GetString()!, out _) && found.Count < MaxSignatures)
                {
                    found.Add(d.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // an index that is not JSON lists no signature
        }

        return found;
    }

    /// <summary>Whether a referrer manifest's <c>subject</c> is the image at <paramref name="digest"/>.</summary>
    private static bool SubjectIs(byte[] manifest, string digest)
    {
        try
        {
            using var doc = JsonDocument.Parse(manifest);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("subject", out var subject)
                && subject.ValueKind == JsonValueKind.Object && subject.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String
                && d.GetString() == digest;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Adds the (payload, signature) of every simple-signing layer of a signature manifest whose blob matches its digest.</summary>
    private static async Task AddSignaturesAsync(RegistryClient client, ImageReference image, byte[] manifest, string where,
        List<(byte[], byte[])> result, CancellationToken ct)
    {
        foreach (var (layerDigest, size, b64) in SignatureLayers(manifest, where))
        {
            if (result.Count >= MaxSignatures)
            {
                return;
            }

            if (!Digest.TryParse(layerDigest, out var d) || size is < 0 or > MaxSignatureBytes)
            {
                continue;
            }

            byte[] payload;
            var blob = await client.OpenBlobAsync(image.Path, d, ct).ConfigureAwait(false);
            await using (blob.ConfigureAwait(false))
            {
                payload = await ReadLimitedAsync(blob, MaxSignatureBytes, ct).ConfigureAwait(false);
            }

            if (Digest.Compute(payload) != d)
            {
                continue; // the registry served other bytes than the layer names: not a signature of anything
            }

            try
            {
                result.Add((payload, Convert.FromBase64String(b64)));
            }
            catch (FormatException)
            {
                // an annotation that is not base64 signs nothing
            }
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>The simple-signing layers of a <c>.sig</c> manifest: digest, size and the signature annotation of each.</summary>
    private static List<(string Digest, long Size, string Signature)> SignatureLayers(byte[] manifest, string where)
    {
        var layers = new List<(string, long, string)>();
        try
        {
            using var doc = JsonDocument.Parse(manifest);
            if (!doc.RootElement.TryGetProperty("layers", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw EngineException.Invalid($"signature manifest {where} has no layers");
            }

            foreach (var l in list.EnumerateArray())
            {
                if (l.ValueKind == JsonValueKind.Object && l.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String
                    && mt.GetString() == SimpleSigningLayer && l.TryGetProperty("digest", out var dg) && dg.ValueKind == JsonValueKind.String
                    && l.TryGetProperty("size", out var sz) && sz.TryGetInt64(out long size)
                    && l.TryGetProperty("annotations", out var ann) && ann.ValueKind == JsonValueKind.Object
                    && ann.TryGetProperty(SignatureAnnotation, out var sig) && sig.ValueKind == JsonValueKind.String)
                {
                    layers.Add((dg.GetString()!, size, sig.GetString()!));
                }
            }
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"signature manifest {where}: invalid JSON: {ex.Message}");
        }

        return layers;
    }

    private static byte[]? ReadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }

            return info.Length > MaxSignatureBytes
                ? throw EngineException.Invalid($"signature {path} is larger than {MaxSignatureBytes} bytes")
                : File.ReadAllBytes(path);
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private async Task<byte[]?> GetAsync(Uri uri, CancellationToken ct)
    {
        using var resp = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!resp.IsSuccessStatusCode)
        {
            throw new EngineException(ErrorKind.Unavailable, $"lookaside {uri}: HTTP {(int)resp.StatusCode}");
        }

        var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await ReadLimitedAsync(body, MaxSignatureBytes, ct).ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream s, int limit, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        byte[] buffer = new byte[16384];
        int n;
        while ((n = await s.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (ms.Length + n > limit)
            {
                throw EngineException.Invalid($"signature larger than {limit} bytes");
            }

            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }
}
