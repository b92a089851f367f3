using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Engine.Images;
using Bulwark.Engine.Registry;
using Bulwark.Engine.Trust.Policy;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>
/// Cosign signatures found through the OCI 1.1 referrers API of a registry that serves it (a stub: docker-registry 2.8 has
/// no such API): only referrers of cosign's signature artifactType are read, a referrer whose subject is another digest
/// or whose bytes do not hash to the listed digest is ignored, and the tag-schema fallback is not consulted.
/// </summary>
public sealed class SignatureSourcesReferrersTests : IAsyncLifetime
{
    private const string ImageDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private readonly StubRegistry registry = new();
    private readonly List<object> index = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await registry.DisposeAsync();

    private static string Sha(byte[] b) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(b));

    /// <summary>Serves a signature manifest (one simple-signing layer) and lists it in the referrers index; returns the payload.</summary>
    private byte[] AddReferrer(string artifactType, string subject, string marker, bool tamperManifest = false)
    {
        byte[] payload = Encoding.UTF8.GetBytes($"{{\"marker\":\"{marker}\"}}");
        registry.Serve($"/v2/lab/app/blobs/{Sha(payload)}", "application/octet-stream", payload);
        byte[] manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["artifactType"] = artifactType,
            ["layers"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["mediaType"] = SignatureSources.SimpleSigningLayer, ["size"] = payload.Length, ["digest"] = Sha(payload),
                    ["annotations"] = new Dictionary<string, string> { [SignatureSources.SignatureAnnotation] = Convert.ToBase64String(Encoding.UTF8.GetBytes("sig-" + marker)) },
                },
            },
            ["subject"] = new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["size"] = 1, ["digest"] = subject },
        });
        string digest = Sha(manifest);
        registry.Serve($"/v2/lab/app/manifests/{digest}", "application/vnd.oci.image.manifest.v1+json", tamperManifest ? [.. manifest, (byte)' '] : manifest);
        index.Add(new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.manifest.v1+json", ["size"] = manifest.Length, ["digest"] = digest, ["artifactType"] = artifactType });
        return payload;
    }

    private async Task<List<(byte[] Payload, byte[] Signature)>> AttachmentsAsync(bool referrersFail = false)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2, ["mediaType"] = "application/vnd.oci.image.index.v1+json", ["manifests"] = index,
        });
        registry.Serve($"/v2/lab/app/referrers/{ImageDigest}?artifactType={Uri.EscapeDataString(SignatureSources.CosignSignatureArtifact)}",
            "application/vnd.oci.image.index.v1+json", body);
        if (referrersFail)
        {
            registry.Fail($"/v2/lab/app/referrers/{ImageDigest}?artifactType={Uri.EscapeDataString(SignatureSources.CosignSignatureArtifact)}");
        }

        using var sources = new SignatureSources(RegistriesDirectory.Empty, () => new RegistryOptions());
        var (found, _) = await sources.AttachmentsAsync(ImageReference.Parse(registry.Host + "/lab/app:v1"), ImageDigest, null, CancellationToken.None);
        return found;
    }

    [Fact]
    public async Task ReferrersApi_YieldsOnlyCosignSignaturesOfThisDigest_AndTheTagFallbackIsNotAsked()
    {
        byte[] wanted = AddReferrer(SignatureSources.CosignSignatureArtifact, ImageDigest, "cosign");
        AddReferrer("application/spdx+json", ImageDigest, "sbom");
        AddReferrer(SignatureSources.CosignSignatureArtifact, "sha256:" + new string('2', 64), "other-subject");
        AddReferrer(SignatureSources.CosignSignatureArtifact, ImageDigest, "tampered", tamperManifest: true);

        var found = await AttachmentsAsync();

        var only = Assert.Single(found);
        Assert.Equal(wanted, only.Payload);
        Assert.Equal("sig-cosign", Encoding.UTF8.GetString(only.Signature));
        Assert.DoesNotContain($"/v2/lab/app/manifests/{ImageDigest.Replace(':', '-')}", registry.Requests);
        Assert.Contains($"/v2/lab/app/manifests/{ImageDigest.Replace(':', '-')}.sig", registry.Requests);
    }

    [Fact]
    public async Task FailingReferrersApi_DoesNotVoidTheSigTagsSignatures_ButFailsTheLookupWhenThereAreNone()
    {
        byte[] payload = "{\"legacy\":true}"u8.ToArray();
        registry.Serve($"/v2/lab/app/blobs/{Sha(payload)}", "application/octet-stream", payload);
        byte[] sig = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["layers"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["mediaType"] = SignatureSources.SimpleSigningLayer, ["size"] = payload.Length, ["digest"] = Sha(payload),
                    ["annotations"] = new Dictionary<string, string> { [SignatureSources.SignatureAnnotation] = Convert.ToBase64String("legacy"u8.ToArray()) },
                },
            },
        });

        await Assert.ThrowsAsync<Bulwark.Engine.Errors.EngineException>(() => AttachmentsAsync(referrersFail: true));
        registry.Serve($"/v2/lab/app/manifests/{ImageDigest.Replace(':', '-')}.sig", "application/vnd.oci.image.manifest.v1+json", sig);
        var found = await AttachmentsAsync(referrersFail: true);

        Assert.Equal(payload, Assert.Single(found).Payload);
    }
}
