using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bulwark.Integration.Tests.Trust.Policy;

/// <summary>
/// Attaches a cosign signature to an image as an OCI 1.1 referrer, the way a registry without the referrers API must hold it
/// (trust.md §3.3): an artifact manifest (artifactType <c>application/vnd.dev.cosign.artifact.sig.v1+json</c>, the empty
/// config, one simple-signing layer with the signature annotation, <c>subject</c> = the image), pushed by digest, and the
/// referrers tag schema index at tag <c>sha256-&lt;hex&gt;</c> listing it. Plain registry HTTP API calls.
/// </summary>
public static class CosignReferrer
{
    public const string ArtifactType = "application/vnd.dev.cosign.artifact.sig.v1+json";

    public static async Task AttachAsync(string registryHost, string repositoryPath, string imageDigest, long imageSize,
        string payloadDigest, string identity, ECDsa key)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{registryHost}/v2/{repositoryPath}/") };
        byte[] payload = Encoding.UTF8.GetBytes(
            $$$$"""{"critical":{"identity":{"docker-reference":"{{{{identity}}}}"},"image":{"docker-manifest-digest":"{{{{payloadDigest}}}}"},"type":"cosign container image signature"},"optional":null}""");
        string signature = Convert.ToBase64String(key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        byte[] empty = "{}"u8.ToArray();
        string payloadBlob = await PutBlobAsync(http, payload);
        string emptyBlob = await PutBlobAsync(http, empty);
        byte[] manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["artifactType"] = ArtifactType,
            ["config"] = new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.empty.v1+json", ["size"] = empty.Length, ["digest"] = emptyBlob },
            ["layers"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["mediaType"] = "application/vnd.dev.cosign.simplesigning.v1+json",
                    ["size"] = payload.Length,
                    ["digest"] = payloadBlob,
                    ["annotations"] = new Dictionary<string, string> { ["dev.cosignproject.cosign/signature"] = signature },
                },
            },
            ["subject"] = new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["size"] = imageSize, ["digest"] = imageDigest },
        });
        string manifestDigest = Sha(manifest);
        await PutManifestAsync(http, manifestDigest, manifest, "application/vnd.oci.image.manifest.v1+json");
        byte[] index = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                    ["size"] = manifest.Length,
                    ["digest"] = manifestDigest,
                    ["artifactType"] = ArtifactType,
                },
            },
        });
        await PutManifestAsync(http, imageDigest.Replace(':', '-'), index, "application/vnd.oci.image.index.v1+json");
    }

    private static async Task<string> PutBlobAsync(HttpClient http, byte[] bytes)
    {
        string digest = Sha(bytes);
        using var start = await http.PostAsync("blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        var upload = location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location);
        var put = new UriBuilder(upload) { Query = (upload.Query.Length > 1 ? upload.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(digest) };
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await http.PutAsync(put.Uri, content);
        Assert.True(done.StatusCode == HttpStatusCode.Created, await done.Content.ReadAsStringAsync());
        return digest;
    }

    private static async Task PutManifestAsync(HttpClient http, string reference, byte[] bytes, string mediaType)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var resp = await http.PutAsync("manifests/" + reference, content);
        Assert.True(resp.StatusCode == HttpStatusCode.Created, $"PUT manifests/{reference}: {(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync()}");
    }

    private static string Sha(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
