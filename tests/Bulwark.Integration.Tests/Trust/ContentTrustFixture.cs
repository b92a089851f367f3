using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Integration.Tests.Fixtures;
using Bulwark.Integration.Tests.Registry;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// The content-trust lab of research/trust.md §6.5: a local registry, a notary-server, and a publisher daemon (trust off)
/// through which the docker CLI pushes and signs (<c>DOCKER_CONTENT_TRUST=1 docker push</c>) with its own trust keys.
/// Tests start their own consumer daemons with a content-trust daemon.json.
/// </summary>
public sealed partial class ContentTrustFixture : IAsyncLifetime
{
    public const string RootPassphrase = "bulwark-root-passphrase";
    public const string RepositoryPassphrase = "bulwark-repo-passphrase";

    public LocalRegistry Registry { get; private set; } = null!;

    public NotaryServer Notary { get; private set; } = null!;

    public DaemonInstance Publisher { get; private set; } = null!;

    public string RootfsTar { get; private set; } = "";

    /// <summary>The signer's DOCKER_CONFIG: trust keys under trust/private, the notary CA under tls/.</summary>
    public string SignerConfig => Path.Combine(Publisher.Root, "signer-config");

    public async Task InitializeAsync()
    {
        Registry = await LocalRegistry.StartAsync();
        Notary = await NotaryServer.StartAsync();
        Publisher = await DaemonInstance.StartAsync();
        RootfsTar = BusyboxImage.BuildRootfsTar(Path.Combine(Publisher.Root, "image"));
        string tls = Path.Combine(SignerConfig, "tls", "127.0.0.1:" + Notary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(tls);
        File.Copy(Notary.CaFile, Path.Combine(tls, "ca.crt"));
        // The first signed push creates the signer's root key: every test may then pin it, whatever order they run in.
        await PushSignedAsync(Registry.Host + "/team/bootstrap:1");
    }

    public async Task DisposeAsync()
    {
        await Publisher.DisposeAsync();
        await Notary.DisposeAsync();
        await Registry.DisposeAsync();
    }

    /// <summary>Imports a fresh image (unique content, so no daemon has seen its digest) as <paramref name="reference"/> on the publisher.</summary>
    public async Task ImportUniqueAsync(string reference)
    {
        string dir = Path.Combine(Publisher.Root, "u-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string tar = Path.Combine(dir, "rootfs.tar");
        File.Copy(RootfsTar, tar);
        await File.WriteAllTextAsync(Path.Combine(dir, "marker"), Guid.NewGuid().ToString("N") + "\n");
        var append = await ProcessRunner.RunAsync("tar", ["-rf", tar, "-C", dir, "marker"]);
        Assert.True(append.ExitCode == 0, append.ToString());
        var import = await Publisher.DockerAsync("import", tar, reference);
        Assert.True(import.ExitCode == 0, import.ToString());
    }

    /// <summary>`DOCKER_CONTENT_TRUST=1 docker push` of a fresh image through the publisher; returns the signed manifest digest.</summary>
    public async Task<string> PushSignedAsync(string reference)
    {
        await ImportUniqueAsync(reference);
        var push = await SignerDockerAsync(trust: true, "push", reference);
        Assert.True(push.ExitCode == 0, push + "\n" + Notary.Log);
        Assert.Contains("Successfully signed", push.Stdout + push.Stderr, StringComparison.Ordinal);
        return PushDigest().Match(push.Stdout).Groups[1].Value;
    }

    /// <summary>A plain `docker push` (no signature) of a fresh image; returns the manifest digest.</summary>
    public async Task<string> PushUnsignedAsync(string reference)
    {
        await ImportUniqueAsync(reference);
        var push = await SignerDockerAsync(trust: false, "push", reference);
        Assert.True(push.ExitCode == 0, push.ToString());
        return PushDigest().Match(push.Stdout).Groups[1].Value;
    }

    /// <summary>The docker CLI as the publisher: its own DOCKER_CONFIG (trust keys), the notary server and passphrases in the environment.</summary>
    public Task<CommandResult> SignerDockerAsync(bool trust, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = Publisher.Host,
            ["DOCKER_CONFIG"] = SignerConfig,
            ["DOCKER_CONTENT_TRUST"] = trust ? "1" : "0",
            ["DOCKER_CONTENT_TRUST_SERVER"] = Notary.Url,
            ["DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE"] = RootPassphrase,
            ["DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"] = RepositoryPassphrase,
        }, timeout: TimeSpan.FromSeconds(120));

    /// <summary>The canonical id of the signer's root key: the name of the key file whose PEM header says "role: root".</summary>
    public string RootKeyId()
    {
        string dir = Path.Combine(SignerConfig, "trust", "private");
        var roots = Directory.GetFiles(dir, "*.key").Where(f => File.ReadAllText(f).Contains("role: root", StringComparison.Ordinal)).ToList();
        Assert.Single(roots);
        return Path.GetFileNameWithoutExtension(roots[0]);
    }

    /// <summary>The root certificate id of a repository, as `docker trust inspect` reports it.</summary>
    public async Task<string> RootCertIdAsync(string repository)
    {
        var inspect = await SignerDockerAsync(trust: false, "trust", "inspect", repository);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var doc = JsonDocument.Parse(inspect.Stdout);
        return doc.RootElement[0].GetProperty("AdministrativeKeys").EnumerateArray()
            .First(k => k.GetProperty("Name").GetString() == "Root").GetProperty("Keys")[0].GetProperty("ID").GetString()!;
    }

    /// <summary>A daemon.json with content trust in <paramref name="mode"/>, the given pins, and this lab's notary server for the registry.</summary>
    public string DaemonJson(string mode, string? rootKeys = null, string? certIds = null, bool allowExpiredCache = false)
    {
        string pins = string.Join(", ", new[] { rootKeys is null ? null : "\"root-keys\": " + rootKeys, certIds is null ? null : "\"cert-ids\": " + certIds }
            .Where(s => s is not null));
        return $$$"""
            {"content-trust": {
              "mode": "{{{mode}}}",
              "trust-pinning": { {{{pins}}} },
              "trust-servers": { "{{{Registry.Host}}}": { "url": "{{{Notary.Url}}}", "ca-file": "{{{Notary.CaFile}}}" } },
              "allow-expired-cached-trust-data": {{{(allowExpiredCache ? "true" : "false")}}}
            }}
            """;
    }

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex PushDigest();
}

[CollectionDefinition(Name)]
public sealed class ContentTrustCollection : ICollectionFixture<ContentTrustFixture>
{
    public const string Name = "content-trust";
}
