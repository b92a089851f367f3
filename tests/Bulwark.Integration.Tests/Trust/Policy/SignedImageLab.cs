using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;
using Bulwark.Integration.Tests.Registry;

namespace Bulwark.Integration.Tests.Trust.Policy;

/// <summary>
/// The policy.json lab (research/trust.md §5c, §6.5): a local registry; a private GNUPGHOME with a batch-generated signing key
/// and an unrelated one; a registries.d whose entry for the registry names a file:// lookaside and turns on sigstore
/// attachments. Images are busybox in containers/image's dir: layout (a unique marker each, so every digest is new), pushed by
/// skopeo: <c>skopeo copy --sign-by</c> writes simple-signing signatures into the lookaside, and sigstore signature files in
/// the dir: layout become <c>sha256-&lt;hex&gt;.sig</c> attachments in the registry, as skopeo writes them.
/// </summary>
public sealed class SignedImageLab : IAsyncLifetime
{
    public LocalRegistry Registry { get; private set; } = null!;

    public string Root { get; } = Path.Combine("/tmp", "bwsig-" + Guid.NewGuid().ToString("N")[..8]);

    public string GnupgHome => Path.Combine(Root, "gnupg");

    public string Lookaside => Path.Combine(Root, "lookaside");

    public string RegistriesD => Path.Combine(Root, "registries.d");

    /// <summary>The signer's public keyring (gpg --export).</summary>
    public string SignerKeyring => Path.Combine(Root, "signer.gpg");

    /// <summary>A public keyring of a key that signed nothing.</summary>
    public string OtherKeyring => Path.Combine(Root, "other.gpg");

    public string Fingerprint { get; private set; } = "";

    /// <summary>The cosign key pair (ECDSA P-256) whose public half is <see cref="CosignPublicKey"/>.</summary>
    public ECDsa CosignKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string CosignPublicKey => Path.Combine(Root, "cosign.pub");

    private string RootfsTar { get; set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Lookaside);
        Directory.CreateDirectory(RegistriesD);
        Registry = await LocalRegistry.StartAsync();
        RootfsTar = BusyboxImage.BuildRootfsTar(Path.Combine(Root, "busybox"));
        Fingerprint = await GenerateGpgKeyAsync(GnupgHome, "Bulwark Test Signer", SignerKeyring);
        await GenerateGpgKeyAsync(Path.Combine(Root, "gnupg-other"), "Unrelated Signer", OtherKeyring);
        await File.WriteAllTextAsync(CosignPublicKey, CosignKey.ExportSubjectPublicKeyInfoPem());
        await File.WriteAllTextAsync(Path.Combine(RegistriesD, "lab.yaml"), $"""
            docker:
              {Registry.Host}:
                lookaside: file://{Lookaside}
                use-sigstore-attachments: true
            """);
        await File.WriteAllTextAsync(Path.Combine(Root, "accept.json"), """{"default": [{"type": "insecureAcceptAnything"}]}""");
    }

    public async Task DisposeAsync()
    {
        foreach (string home in new[] { GnupgHome, Path.Combine(Root, "gnupg-other") })
        {
            await ProcessRunner.RunAsync("gpgconf", ["--kill", "gpg-agent"], new Dictionary<string, string> { ["GNUPGHOME"] = home });
        }

        CosignKey.Dispose();
        await Registry.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public string Repo(string name) => $"{Registry.Host}/signed/{name}";

    /// <summary>A fresh busybox image (unique /marker) in dir: layout; returns its folder and manifest digest.</summary>
    public async Task<(string Dir, string Digest)> BuildImageAsync()
    {
        string dir = Path.Combine(Root, "img-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string tar = Path.Combine(dir, "rootfs.tar");
        File.Copy(RootfsTar, tar);
        await File.WriteAllTextAsync(Path.Combine(dir, "marker"), Guid.NewGuid().ToString("N") + "\n");
        var append = await ProcessRunner.RunAsync("tar", ["-rf", tar, "-C", dir, "marker"]);
        Assert.True(append.ExitCode == 0, append.ToString());
        byte[] layer = await File.ReadAllBytesAsync(tar);
        File.Delete(tar);
        File.Delete(Path.Combine(dir, "marker"));
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(layer);
        }

        string diffId = Sha(layer);
        byte[] config = Encoding.UTF8.GetBytes(
            $$$$"""{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["{{{{diffId}}}}"]}}""");
        byte[] compressed = gz.ToArray();
        string configDigest = Blob(dir, config), layerDigest = Blob(dir, compressed);
        byte[] manifest = Encoding.UTF8.GetBytes($$$$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":{{{{config.Length}}}},"digest":"{{{{configDigest}}}}"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":{{{{compressed.Length}}}},"digest":"{{{{layerDigest}}}}"}]}
            """.Trim());
        await File.WriteAllBytesAsync(Path.Combine(dir, "manifest.json"), manifest);
        await File.WriteAllTextAsync(Path.Combine(dir, "version"), "Directory Transport Version: 1.1\n");
        return (dir, Sha(manifest));
    }

    /// <summary>
    /// Adds a cosign signature to a dir: image (containers/image's sigstore-json form): payload naming
    /// <paramref name="payloadDigest"/> and <paramref name="identity"/>, signed by <paramref name="key"/> (default: the lab's).
    /// </summary>
    public async Task AddCosignSignatureAsync(string dir, string payloadDigest, string identity, ECDsa? key = null)
    {
        byte[] payload = Encoding.UTF8.GetBytes(
            $$$$"""{"critical":{"identity":{"docker-reference":"{{{{identity}}}}"},"image":{"docker-manifest-digest":"{{{{payloadDigest}}}}"},"type":"cosign container image signature"},"optional":null}""");
        byte[] sig = (key ?? CosignKey).SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        string json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["mimeType"] = "application/vnd.dev.cosign.simplesigning.v1+json",
            ["payload"] = Convert.ToBase64String(payload),
            ["annotations"] = new Dictionary<string, string> { ["dev.cosignproject.cosign/signature"] = Convert.ToBase64String(sig) },
        });
        int n = Directory.GetFiles(dir, "signature-*").Length + 1;
        await File.WriteAllBytesAsync(Path.Combine(dir, "signature-" + n.ToString(CultureInfo.InvariantCulture)), [.. "\0sigstore-json\n"u8, .. Encoding.UTF8.GetBytes(json)]);
    }

    /// <summary>`skopeo copy dir:… docker://reference`, with `--sign-by` the lab key when <paramref name="sign"/>.</summary>
    public async Task PushAsync(string dir, string reference, bool sign)
    {
        var args = new List<string> { "--policy", Path.Combine(Root, "accept.json"), "--registries.d", RegistriesD, "copy", "--dest-tls-verify=false" };
        if (sign)
        {
            args.AddRange(["--sign-by", Fingerprint]);
        }

        args.AddRange(["dir:" + dir, "docker://" + reference]);
        var copy = await ProcessRunner.RunAsync("skopeo", args, new Dictionary<string, string> { ["GNUPGHOME"] = GnupgHome }, timeout: TimeSpan.FromSeconds(120));
        Assert.True(copy.ExitCode == 0, copy.ToString());
    }

    /// <summary>The lookaside folder of one digest of one repository, as skopeo writes it.</summary>
    public string LookasideFolder(string repository, string digest) =>
        Path.Combine(Lookaside, repository[(Registry.Host.Length + 1)..] + "@" + digest.Replace(':', '='));

    /// <summary>daemon.json with content trust in <paramref name="mode"/>, <paramref name="policy"/> written to a file, and the lab's registries.d.</summary>
    public string DaemonJson(string mode, string policy)
    {
        string file = Path.Combine(Root, "policy-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(file, policy);
        return $$$$"""{"content-trust": {"mode": "{{{{mode}}}}", "policy": "{{{{file}}}}", "registries-d": "{{{{RegistriesD}}}}"}}""";
    }

    /// <summary>policy.json: reject by default; the lab registry's "signed" namespace requires <paramref name="requirement"/>.</summary>
    public string Policy(string requirement) => $$$$"""
        {"default": [{"type": "reject"}],
         "transports": {"docker": {"{{{{Registry.Host}}}}/signed": [{{{{requirement}}}}]}}}
        """;

    public string SignedByPolicy(string? keyring = null, string identity = "") =>
        Policy($$$$"""{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "{{{{keyring ?? SignerKeyring}}}}"{{{{identity}}}} }""");

    public string CosignPolicy(string? key = null) =>
        Policy($$$$"""{"type": "sigstoreSigned", "keyPath": "{{{{key ?? CosignPublicKey}}}}", "signedIdentity": {"type": "matchRepository"} }""");

    private static async Task<string> GenerateGpgKeyAsync(string home, string name, string exportTo)
    {
        Directory.CreateDirectory(home);
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var env = new Dictionary<string, string> { ["GNUPGHOME"] = home };
        string spec = Path.Combine(home, "key.spec");
        await File.WriteAllTextAsync(spec, $"%no-protection\nKey-Type: RSA\nKey-Length: 2048\nName-Real: {name}\nName-Email: signer@bulwark.invalid\nExpire-Date: 0\n%commit\n");
        var gen = await ProcessRunner.RunAsync("gpg", ["--batch", "--gen-key", spec], env, timeout: TimeSpan.FromSeconds(120));
        Assert.True(gen.ExitCode == 0, gen.ToString());
        var list = await ProcessRunner.RunAsync("gpg", ["--list-keys", "--with-colons"], env);
        string fpr = list.Stdout.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        var export = await ProcessRunner.RunAsync("gpg", ["--output", exportTo, "--export", fpr], env);
        Assert.True(export.ExitCode == 0, export.ToString());
        return fpr;
    }

    private static string Sha(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string Blob(string dir, byte[] bytes)
    {
        string digest = Sha(bytes);
        File.WriteAllBytes(Path.Combine(dir, digest["sha256:".Length..]), bytes);
        return digest;
    }
}

[CollectionDefinition(Name)]
public sealed class SignedImageCollection : ICollectionFixture<SignedImageLab>
{
    public const string Name = "signed-images";
}
