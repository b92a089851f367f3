using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Engine.Tests.Trust.Tuf;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// research/trust.md §6.4 against a live malicious trust server: bulwarkd (enforced) pulls from the lab's real registry and
/// asks a hostile Notary server on 127.0.0.1 that serves crafted metadata (its root is the one pinned, so only the attack
/// can make it fail). Each attack is refused with its reason and leaves no image and no container; permissive mode runs the
/// image but logs and publishes the violation. Every test first proves the same setup runs when the server is honest.
/// </summary>
[Collection(ContentTrustCollection.Name)]
public sealed class HostileTrustServerTests(ContentTrustFixture fx)
{
    [Fact]
    public async Task Enforced_HonestHostileServer_RunsTheSignedDigest_ProvingTheLabBeforeEachAttack()
    {
        await using var lab = await SignedLabAsync("honest");
        await using var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced"));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "cat", "/marker");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        Assert.True(lab.Server.Requests > 0);
    }

    [Fact]
    public async Task Enforced_FrozenTimestamp_IsRefusedAsExpired_AndPermissiveRunsItButPublishesTheViolation() // A4, A19
    {
        await using var lab = await SignedLabAsync("frozen");
        lab.Repo.TimestampExpires = DateTimeOffset.UtcNow.AddDays(-1);
        lab.Repo.Publish();
        await using (var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced")))
        {
            var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
            Assert.Equal(125, run.ExitCode);
            Assert.Contains($"content trust: {lab.Image}: expired: ", run.Stderr, StringComparison.Ordinal);
            await AssertNothingStoredAsync(d);
        }

        await using var p = await DaemonInstance.StartAsync(DaemonJson(lab, "permissive"));
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var allowed = await p.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.True(allowed.ExitCode == 0, allowed + p.DaemonLog);
        string until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var events = await p.DockerAsync("events", "--since", since, "--until", until, "--filter", "type=image",
            "--format", "{{.Action}} {{.Actor.Attributes.operation}} {{.Actor.Attributes.reason}}");
        Assert.Contains("trust-violation pull expired", events.Stdout, StringComparison.Ordinal);
        Assert.Contains("allowed by permissive content trust despite: content trust: " + lab.Image + ": expired", p.DaemonLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_ReplayOfAnOlderSignedRepository_IsRefusedAsRollback() // freeze/replay, rollback
    {
        await using var lab = await SignedLabAsync("replayed", version: 2);
        await using var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced"));
        var first = await d.DockerAsync("pull", lab.Image);
        Assert.True(first.ExitCode == 0, first + d.DaemonLog);

        lab.Repo.TimestampVersion = lab.Repo.SnapshotVersion = lab.Repo.TargetsVersion = 1; // validly signed, but older than what was seen
        lab.Repo.Publish();
        var again = await d.DockerAsync("pull", lab.Image);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"content trust: {lab.Image}: rollback: ", again.Stderr, StringComparison.Ordinal);
        var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains(": rollback: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_SnapshotNamingOtherTargetsBytes_IsRefused_MixAndMatch() // A7
    {
        await using var lab = await SignedLabAsync("mixed");
        lab.Repo.SnapshotTargetsOverride = bytes => [.. bytes, (byte)' '];
        lab.Repo.Publish();
        await using var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced"));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains($"content trust: {lab.Image}: digest-mismatch: ", run.Stderr, StringComparison.Ordinal);
        await AssertNothingStoredAsync(d);
    }

    [Theory]
    [InlineData("timestamp.json", HostileAnswer.Endless)]
    [InlineData("timestamp.json", HostileAnswer.Oversized)]
    [InlineData("targets.json", HostileAnswer.Oversized)]
    [InlineData("targets.json", HostileAnswer.Endless)]
    public async Task Enforced_EndlessOrOversizedMetadata_IsCutAtItsLimitAndRefused(string file, HostileAnswer answer)
    {
        await using var lab = await SignedLabAsync("big" + answer.ToString().ToLowerInvariant() + file[..2]);
        lab.Server.Answers[file] = answer;
        foreach (string hashed in HashedNames(lab.Repo, file))
        {
            lab.Server.Answers[hashed] = answer;
        }

        await using var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced"));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains($"content trust: {lab.Image}: digest-mismatch: {file.Replace(".json", "", StringComparison.Ordinal)}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("limit of", run.Stderr, StringComparison.Ordinal);
        await AssertNothingStoredAsync(d);
    }

    [Fact]
    public async Task Enforced_SlowDripTimestamp_IsAbandonedAtTheTimeLimitAndRefusedAsUnreachable()
    {
        await using var lab = await SignedLabAsync("drip");
        lab.Server.Answers["timestamp.json"] = HostileAnswer.SlowDrip;
        await using var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced"));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains($"content trust: {lab.Image}: trust-server-unreachable: ", run.Stderr, StringComparison.Ordinal);
        await AssertNothingStoredAsync(d);
    }

    [Fact]
    public async Task Enforced_TamperedLayerOfASignedManifest_NeverReachesAContainer() // A1 (layer)
    {
        await using var lab = await SignedLabAsync("tamperedlayer");
        using var manifest = JsonDocument.Parse(lab.Repo.Targets["v1"]);
        string layer = manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;
        string blob = fx.Registry.BlobDataPath(layer);
        byte[] bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);
        await using var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced"));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(layer["sha256:".Length..][..12], run.Stderr + d.DaemonLog, StringComparison.Ordinal);
        await AssertNothingStoredAsync(d);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("snapshot")]
    [InlineData("targets")]
    public async Task Enforced_ExpiredRootSnapshotOrTargets_IsRefusedAsExpired_AndPermissiveRunsItButPublishesTheViolation(string role) // A5, A19
    {
        await using var lab = await SignedLabAsync("expired" + role);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        _ = role switch
        {
            "root" => lab.Repo.RootExpires = past,
            "snapshot" => lab.Repo.SnapshotExpires = past,
            _ => lab.Repo.TargetsExpires = past,
        };
        lab.Repo.Publish();
        await AssertRefusedThenPermittedAsync(lab, "expired", role + " expired at");
    }

    [Fact]
    public async Task Enforced_TargetsChangedAfterSigning_IsRefusedForInsufficientSignatures() // A8, A19
    {
        await using var lab = await SignedLabAsync("tamperedtargets");
        lab.Repo.TamperTargets = b => System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(b).Replace("\"version\":1", "\"version\":7", StringComparison.Ordinal));
        lab.Repo.Publish();
        await AssertRefusedThenPermittedAsync(lab, "invalid-trust-data", "targets: insufficient signatures: 0 valid, threshold is 1");
    }

    [Fact]
    public async Task Enforced_TargetsSignedByAKeyNotInRoot_IsRefusedForInsufficientSignatures() // A8, A19
    {
        await using var lab = await SignedLabAsync("foreignsigner");
        lab.Repo.TargetsSigner = TestSigningKey.Ecdsa();
        lab.Repo.Publish();
        await AssertRefusedThenPermittedAsync(lab, "invalid-trust-data", "targets: insufficient signatures");
    }

    [Fact]
    public async Task Enforced_RootSwappedWithoutCrossSigning_IsRefusedAsWrongRoot_AndPermissiveRunsItButPublishesTheViolation() // A9, A19
    {
        await using var lab = await SignedLabAsync("rootswap");
        var old = lab.Repo.RootKeys[0];
        var attacker = TestSigningKey.RootCertificate(lab.Gun);
        string[] pins = [old.Public.CanonicalId, attacker.Public.CanonicalId]; // both pinned: only the missing cross-signature can fail it
        await using var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced", pins));
        await using var p = await DaemonInstance.StartAsync(DaemonJson(lab, "permissive", pins));
        foreach (var daemon in new[] { d, p })
        {
            var first = await daemon.DockerAsync("pull", lab.Image);
            Assert.True(first.ExitCode == 0, first + daemon.DaemonLog);
        }

        lab.Repo.RootKeys = [attacker];
        lab.Repo.RootVersion = 2;
        lab.Repo.Publish();
        var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains($"content trust: {lab.Image}: wrong-root: could not rotate trust to a new trusted root", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await d.DockerAsync("ps", "-aq")).Stdout.Trim());
        await AssertPermittedAndPublishedAsync(p, lab, "wrong-root");
    }

    [Fact]
    public async Task Enforced_CrossSignedRootRotation_IsAcceptedOnlyWhileTheNewKeyMatchesThePin() // A10
    {
        await using var lab = await SignedLabAsync("rotated");
        var old = lab.Repo.RootKeys[0];
        var next = TestSigningKey.RootCertificate(lab.Gun);
        await using var both = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced", [old.Public.CanonicalId, next.Public.CanonicalId]));
        await using var oldOnly = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced", [old.Public.CanonicalId]));
        foreach (var daemon in new[] { both, oldOnly })
        {
            var first = await daemon.DockerAsync("pull", lab.Image);
            Assert.True(first.ExitCode == 0, first + daemon.DaemonLog);
        }

        lab.Repo.RootKeys = [next];
        lab.Repo.RootSigners = [old, next];
        lab.Repo.RootVersion = 2;
        lab.Repo.Publish();
        var accepted = await both.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.True(accepted.ExitCode == 0, accepted + both.DaemonLog);
        var refused = await oldOnly.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains($"content trust: {lab.Image}: wrong-root: ", refused.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Enforced: refused with <paramref name="reason"/> and <paramref name="detail"/>, nothing stored; permissive: runs, logs and publishes trust-violation.</summary>
    private static async Task AssertRefusedThenPermittedAsync(Lab lab, string reason, string detail)
    {
        await using (var d = await DaemonInstance.StartAsync(DaemonJson(lab, "enforced")))
        {
            var run = await d.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
            Assert.Equal(125, run.ExitCode);
            Assert.Contains($"content trust: {lab.Image}: {reason}: ", run.Stderr, StringComparison.Ordinal);
            Assert.Contains(detail, run.Stderr, StringComparison.Ordinal);
            await AssertNothingStoredAsync(d);
        }

        await using var p = await DaemonInstance.StartAsync(DaemonJson(lab, "permissive"));
        await AssertPermittedAndPublishedAsync(p, lab, reason);
    }

    private static async Task AssertPermittedAndPublishedAsync(DaemonInstance p, Lab lab, string reason)
    {
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var allowed = await p.DockerAsync("run", "--rm", "--network", "none", lab.Image, "true");
        Assert.True(allowed.ExitCode == 0, allowed + p.DaemonLog);
        string until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var events = await p.DockerAsync("events", "--since", since, "--until", until, "--filter", "type=image",
            "--format", "{{.Action}} {{.Actor.Attributes.reason}}");
        Assert.Contains("trust-violation " + reason, events.Stdout, StringComparison.Ordinal);
        Assert.Contains("allowed by permissive content trust despite: content trust: " + lab.Image + ": " + reason, p.DaemonLog, StringComparison.Ordinal);
    }

    private static async Task AssertNothingStoredAsync(DaemonInstance d)
    {
        Assert.Equal("", (await d.DockerAsync("images", "-q")).Stdout.Trim());
        Assert.Equal("", (await d.DockerAsync("ps", "-aq")).Stdout.Trim());
    }

    private static IEnumerable<string> HashedNames(TestTrustRepository repo, string file)
    {
        string role = file[..^".json".Length];
        return repo.Files.Keys.Where(k => k.StartsWith(role + ".", StringComparison.Ordinal) && k.Length == role.Length + 1 + 64 + 5);
    }

    private static string DaemonJson(Lab lab, string mode, string[]? pins = null) => $$$"""
        {"content-trust": {
          "mode": "{{{mode}}}",
          "trust-pinning": { "root-keys": { "{{{lab.Gun}}}": [{{{string.Join(", ", (pins ?? [lab.Repo.RootKeys[0].Public.CanonicalId]).Select(p => "\"" + p + "\""))}}}] } },
          "trust-servers": { "{{{lab.Gun[..lab.Gun.IndexOf('/', StringComparison.Ordinal)]}}}": { "url": "{{{lab.Server.Url}}}", "ca-file": "{{{lab.Server.CaFile}}}" } }
        }}
        """;

    /// <summary>A fresh image pushed (unsigned) to the lab registry, and a hostile server whose repository signs exactly its manifest as :v1.</summary>
    private async Task<Lab> SignedLabAsync(string name, int version = 1)
    {
        string gun = $"{fx.Registry.Host}/hostile/{name}";
        string digest = await fx.PushUnsignedAsync(gun + ":v1");
        using var http = new HttpClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, $"http://{fx.Registry.Host}/v2/hostile/{name}/manifests/{digest}");
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        using var answer = await http.SendAsync(get);
        byte[] manifest = await answer.Content.ReadAsByteArrayAsync();
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest)));
        var repo = new TestTrustRepository(gun) { TimestampVersion = version, SnapshotVersion = version, TargetsVersion = version };
        repo.Targets["v1"] = manifest;
        repo.Publish();
        return new Lab(gun, repo, HostileTrustServer.Start(repo));
    }

    private sealed record Lab(string Gun, TestTrustRepository Repo, HostileTrustServer Server) : IAsyncDisposable
    {
        public string Image => Gun + ":v1";

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
