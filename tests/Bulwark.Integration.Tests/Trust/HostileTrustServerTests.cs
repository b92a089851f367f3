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

    private static string DaemonJson(Lab lab, string mode) => $$$"""
        {"content-trust": {
          "mode": "{{{mode}}}",
          "trust-pinning": { "root-keys": { "{{{lab.Gun}}}": ["{{{lab.Repo.RootKeys[0].Public.CanonicalId}}}"] } },
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
