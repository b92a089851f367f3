using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Bulwark.Cli.Signing;

/// <summary>
/// Pushes a cosign signature as the legacy attachment: tag <c>sha256-&lt;hex&gt;.sig</c> in the image's repository, an OCI
/// manifest with one simple-signing layer per signature (the signature in the <c>dev.cosignproject.cosign/signature</c>
/// annotation). An existing <c>.sig</c> manifest keeps its layers and gets one more. Plain registry HTTP API, anonymous:
/// http for a loopback registry (as the docker daemon treats 127.0.0.0/8 as insecure), https otherwise.
/// </summary>
internal sealed class CosignSignatureRegistry : IDisposable
{
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string SimpleSigningLayer = "application/vnd.dev.cosign.simplesigning.v1+json";
    private const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    private readonly HttpClient http;
    private readonly string repository;

    public CosignSignatureRegistry(string host, string path)
    {
        string h = host.Split(':')[0];
        bool loopback = h == "localhost" || (IPAddress.TryParse(h.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        http = new HttpClient { BaseAddress = new Uri($"{(loopback ? "http" : "https")}://{host}/v2/{path}/"), Timeout = TimeSpan.FromSeconds(60) };
        repository = host + "/" + path;
    }

    public void Dispose() => http.Dispose();

    /// <summary>Adds the signature to <c>sha256-&lt;hex&gt;.sig</c>; returns the tag written.</summary>
    public async Task<string> AttachAsync(string digest, byte[] payload, string signature, CancellationToken ct)
    {
        string tag = digest.Replace(':', '-') + ".sig";
        string payloadDigest = await PutBlobAsync(payload, ct).ConfigureAwait(false);
        var layer = new JsonObject
        {
            ["mediaType"] = SimpleSigningLayer,
            ["size"] = payload.Length,
            ["digest"] = payloadDigest,
            ["annotations"] = new JsonObject { [SignatureAnnotation] = signature },
        };
        JsonObject manifest = await ExistingAsync(tag, ct).ConfigureAwait(false) ?? new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifest,
            ["layers"] = new JsonArray(),
        };
        var layers = manifest["layers"] as JsonArray ?? throw new CliException(1, $"{repository}:{tag}: the existing signature manifest has no layers");
        layers.Add((JsonNode)layer);
        var diffIds = new JsonArray();
        foreach (var l in layers)
        {
            diffIds.Add((JsonNode?)JsonValue.Create((string?)l?["digest"]));
        }

        byte[] config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "",
            ["os"] = "",
            ["config"] = new JsonObject(),
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        }.ToJsonString());
        manifest["config"] = new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.config.v1+json",
            ["size"] = config.Length,
            ["digest"] = await PutBlobAsync(config, ct).ConfigureAwait(false),
        };
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        content.Headers.ContentType = new MediaTypeHeaderValue(OciManifest);
        using var resp = await http.PutAsync("manifests/" + tag, content, ct).ConfigureAwait(false);
        await EnsureAsync(resp, $"PUT {repository}:{tag}", ct).ConfigureAwait(false);
        return tag;
    }

    private async Task<JsonObject?> ExistingAsync(string tag, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, "manifests/" + tag);
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciManifest));
        using var resp = await http.SendAsync(req, ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureAsync(resp, $"GET {repository}:{tag}", ct).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false)) as JsonObject
                ?? throw new CliException(1, $"{repository}:{tag}: the existing signature manifest is not a JSON object");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new CliException(1, $"{repository}:{tag}: the existing signature manifest is not JSON: {ex.Message}");
        }
    }

    private async Task<string> PutBlobAsync(byte[] bytes, CancellationToken ct)
    {
        string digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var start = await http.PostAsync("blobs/uploads/", null, ct).ConfigureAwait(false);
        await EnsureAsync(start, $"POST {repository} blob upload", ct).ConfigureAwait(false);
        var location = start.Headers.Location ?? throw new CliException(1, $"{repository}: the registry started an upload without a Location");
        var upload = location.IsAbsoluteUri ? location : new Uri(http.BaseAddress!, location);
        string query = upload.Query.Length > 1 ? upload.Query[1..] + "&" : "";
        var put = new UriBuilder(upload) { Query = query + "digest=" + Uri.EscapeDataString(digest) }.Uri;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await http.PutAsync(put, content, ct).ConfigureAwait(false);
        await EnsureAsync(done, $"PUT {repository} blob {digest}", ct).ConfigureAwait(false);
        return digest;
    }

    private async Task EnsureAsync(HttpResponseMessage resp, string what, CancellationToken ct)
    {
        if (resp.IsSuccessStatusCode)
        {
            return;
        }

        string body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        string why = resp.StatusCode == HttpStatusCode.Unauthorized
            ? "the registry requires authentication, which cosign signing does not support yet"
            : body.Length > 300 ? body[..300] : body;
        throw new CliException(1, $"{what}: HTTP {(int)resp.StatusCode}: {why}");
    }
}
