using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Registry;

/// <summary>`docker push` / `docker pull` / `docker run` against a real local registry (distribution 2.8), driven by the docker CLI.</summary>
[Collection(RegistryCollection.Name)]
public sealed partial class PullPushTests(RegistryFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task PushRmiPull_SameImageIdAndRepoDigest_ThenRuns()
    {
        string name = $"{fx.Registry.Host}/ns/roundtrip";
        string id = await ImportUniqueAsync(name + ":1");
        var push = await D.DockerAsync("push", name + ":1");
        Assert.True(push.ExitCode == 0, push + D.DaemonLog);
        Assert.Contains($"The push refers to repository [{name}]", push.Stdout, StringComparison.Ordinal);
        Assert.Contains("Pushed", push.Stdout, StringComparison.Ordinal);
        string digest = PushDigest().Match(push.Stdout).Groups[1].Value;
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);

        var rmi = await D.DockerAsync("rmi", name + ":1");
        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.DoesNotContain(id, (await D.DockerAsync("images", "-q", "--no-trunc")).Stdout, StringComparison.Ordinal);

        var pull = await D.DockerAsync("pull", name + ":1");
        Assert.True(pull.ExitCode == 0, pull + D.DaemonLog);
        Assert.Contains("1: Pulling from ns/roundtrip", pull.Stdout, StringComparison.Ordinal);
        Assert.Contains("Pull complete", pull.Stdout, StringComparison.Ordinal);
        Assert.Contains("Digest: " + digest, pull.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Status: Downloaded newer image for {name}:1", pull.Stdout, StringComparison.Ordinal);

        var inspect = await D.DockerAsync("image", "inspect", "--format", "{{.Id}} {{json .RepoDigests}}", name + ":1");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.StartsWith(id + " ", inspect.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"{name}@{digest}\"", inspect.Stdout, StringComparison.Ordinal);

        var again = await D.DockerAsync("pull", name + ":1");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"Status: Image is up to date for {name}:1", again.Stdout, StringComparison.Ordinal);

        var run = await D.DockerAsync("run", "--rm", "--network", "none", name + ":1", "cat", "/marker");
        Assert.True(run.ExitCode == 0, run + D.DaemonLog);
        Assert.False(string.IsNullOrWhiteSpace(run.Stdout));
    }

    [Fact]
    public async Task PushedContent_IsWhatTheRegistryServes()
    {
        string name = $"{fx.Registry.Host}/ns/served";
        await ImportUniqueAsync(name + ":v1");
        var push = await D.DockerAsync("push", name + ":v1");
        Assert.True(push.ExitCode == 0, push.ToString());
        string digest = PushDigest().Match(push.Stdout).Groups[1].Value;
        var (manifest, _) = await GetManifestAsync("ns/served", "v1");
        Assert.Equal(digest, StubRegistry.Sha256(manifest));
        Assert.Contains($"size: {manifest.Length}", push.Stdout, StringComparison.Ordinal);

        // A second push finds every blob there already.
        var again = await D.DockerAsync("push", name + ":v1");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Layer already exists", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullByDigest_HasTheRepoDigestAndNoTag_AndRuns()
    {
        string name = $"{fx.Registry.Host}/ns/bydigest";
        string id = await ImportUniqueAsync(name + ":1");
        var push = await D.DockerAsync("push", name + ":1");
        Assert.True(push.ExitCode == 0, push.ToString());
        string digest = PushDigest().Match(push.Stdout).Groups[1].Value;
        Assert.Equal(0, (await D.DockerAsync("rmi", name + ":1")).ExitCode);

        var pull = await D.DockerAsync("pull", $"{name}@{digest}");
        Assert.True(pull.ExitCode == 0, pull + D.DaemonLog);
        Assert.Contains($"{digest}: Pulling from ns/bydigest", pull.Stdout, StringComparison.Ordinal);
        var inspect = await D.DockerAsync("image", "inspect", "--format", "{{.Id}} {{json .RepoTags}} {{json .RepoDigests}}", $"{name}@{digest}");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal($"{id} [] [\"{name}@{digest}\"]", inspect.Stdout.Trim());
        var run = await D.DockerAsync("run", "--rm", "--network", "none", $"{name}@{digest}", "true");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, (await D.DockerAsync("rmi", $"{name}@{digest}")).ExitCode);
    }

    [Fact]
    public async Task PullOfAnIndex_PicksLinuxAmd64()
    {
        string name = $"{fx.Registry.Host}/ns/multi";
        string id = await ImportUniqueAsync(name + ":single");
        var push = await D.DockerAsync("push", name + ":single");
        Assert.True(push.ExitCode == 0, push.ToString());
        var (manifest, mediaType) = await GetManifestAsync("ns/multi", "single");
        string digest = StubRegistry.Sha256(manifest);

        // An index whose first entry is another platform; both entries must exist in the registry, so both name this manifest.
        string index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
            $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"{digest}\",\"size\":{manifest.Length},\"platform\":{{\"architecture\":\"arm64\",\"os\":\"linux\"}}}}," +
            $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"{digest}\",\"size\":{manifest.Length},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\",\"variant\":\"v3\"}}}}]}}";
        using (var http = new HttpClient())
        {
            using var content = new StringContent(index);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.oci.image.index.v1+json");
            using var put = await http.PutAsync(new Uri($"http://{fx.Registry.Host}/v2/ns/multi/manifests/idx"), content);
            Assert.True(put.IsSuccessStatusCode, $"PUT index: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(0, (await D.DockerAsync("rmi", name + ":single")).ExitCode);
        var pull = await D.DockerAsync("pull", name + ":idx");
        Assert.True(pull.ExitCode == 0, pull + D.DaemonLog);
        Assert.Contains("Digest: " + StubRegistry.Sha256(System.Text.Encoding.UTF8.GetBytes(index)), pull.Stdout, StringComparison.Ordinal);
        Assert.Equal(id, (await D.DockerAsync("image", "inspect", "--format", "{{.Id}}", name + ":idx")).Stdout.Trim());
        Assert.Equal(0, (await D.DockerAsync("rmi", name + ":idx")).ExitCode);
    }

    [Fact]
    public async Task RunOfAMissingImage_PullsItFromTheRegistry()
    {
        string name = $"{fx.Registry.Host}/ns/autopull:1";
        await ImportUniqueAsync(name);
        Assert.Equal(0, (await D.DockerAsync("push", name)).ExitCode);
        Assert.Equal(0, (await D.DockerAsync("rmi", name)).ExitCode);

        var run = await D.DockerAsync("run", "--rm", "--network", "none", name, "echo", "auto-pulled");
        Assert.True(run.ExitCode == 0, run + D.DaemonLog);
        Assert.Equal("auto-pulled\n", run.Stdout);
        Assert.Contains($"Unable to find image '{name}' locally", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Downloaded newer image", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullOfAMissingTag_FailsLikeDockerd()
    {
        var pull = await D.DockerAsync("pull", $"{fx.Registry.Host}/ns/nothere:nope");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"Error response from daemon: manifest for {fx.Registry.Host}/ns/nothere:nope not found", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains("unknown", pull.Stderr, StringComparison.Ordinal);

        var run = await D.DockerAsync("run", "--rm", $"{fx.Registry.Host}/ns/nothere:nope", "true");
        Assert.Equal(125, run.ExitCode);
    }

    [Fact]
    public async Task PullForAnotherPlatform_IsRefusedNotIgnored()
    {
        var pull = await D.DockerAsync("pull", "--platform", "linux/arm64", $"{fx.Registry.Host}/ns/any:1");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("linux/amd64 images only", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullOfAllTags_IsRefusedNotNarrowed()
    {
        var pull = await D.DockerAsync("pull", "--all-tags", $"{fx.Registry.Host}/ns/any");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("pulling all tags is not supported", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullFromDockerHub_SaysItIsNotReachable_WithoutNetworkTraffic()
    {
        var pull = await D.DockerAsync("pull", "busybox:1.36");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("pull access denied for busybox", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains("docker.io is not reachable from this daemon", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullOfATamperedLayer_IsRefused_NothingIsTagged_DaemonKeepsServing()
    {
        string name = $"{fx.Registry.Host}/ns/tampered:1";
        string id = await ImportUniqueAsync(name);
        Assert.Equal(0, (await D.DockerAsync("push", name)).ExitCode);
        Assert.Equal(0, (await D.DockerAsync("rmi", name)).ExitCode);
        var (manifest, _) = await GetManifestAsync("ns/tampered", "1");
        using var doc = JsonDocument.Parse(manifest);
        string layer = doc.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;

        // Flip one byte of the (single, unique) layer the registry serves.
        string data = fx.Registry.BlobDataPath(layer);
        byte[] bytes = await File.ReadAllBytesAsync(data);
        bytes[bytes.Length - 700] ^= 0xff;
        await File.WriteAllBytesAsync(data, bytes);

        var pull = await D.DockerAsync("pull", name);
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"layer {layer}: digest mismatch", pull.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await D.DockerAsync("image", "inspect", name)).ExitCode);
        Assert.DoesNotContain(id, (await D.DockerAsync("images", "-a", "-q", "--no-trunc")).Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(D.DataRoot, "content/blobs/sha256", layer["sha256:".Length..])));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(D.DataRoot, "content/ingest")));
        Assert.Equal(0, (await D.DockerAsync("version")).ExitCode);
        var run = await D.DockerAsync("run", "--rm", "--network", "none", SharedDaemonFixture.Image, "true");
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task PushOfAMissingImage_IsNotFound()
    {
        var push = await D.DockerAsync("push", $"{fx.Registry.Host}/ns/neverbuilt:1");
        Assert.Equal(1, push.ExitCode);
        Assert.Contains($"An image does not exist locally with the tag: {fx.Registry.Host}/ns/neverbuilt", push.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushToAClosedPort_ReportsTheConnectionError()
    {
        string name = $"127.0.0.1:{LocalRegistry.FreePort()}/ns/closed:1";
        Assert.Equal(0, (await D.DockerAsync("tag", SharedDaemonFixture.Image, name)).ExitCode);
        var push = await D.DockerAsync("push", name);
        Assert.Equal(1, push.ExitCode);
        Assert.Contains("/v2/", push.Stderr, StringComparison.Ordinal);
        Assert.Contains("refused", push.Stderr, StringComparison.OrdinalIgnoreCase);
        await D.DockerAsync("rmi", name);
    }

    [Fact]
    public async Task PullAndPush_AreImageEvents()
    {
        string name = $"{fx.Registry.Host}/ns/events:1";
        await ImportUniqueAsync(name);
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await D.DockerAsync("push", name)).ExitCode);
        Assert.Equal(0, (await D.DockerAsync("pull", name)).ExitCode);
        string until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var events = await D.DockerAsync("events", "--since", since, "--until", until, "--filter", "type=image", "--format", "{{.Action}} {{.Actor.ID}}");
        Assert.Contains($"push {name}", events.Stdout, StringComparison.Ordinal);
        Assert.Contains($"pull {name}", events.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulwarkCli_PushesAndPulls()
    {
        string name = $"{fx.Registry.Host}/ns/ourcli";
        string id = await ImportUniqueAsync(name + ":2");
        var push = await D.CliAsync("push", name + ":2");
        Assert.True(push.ExitCode == 0, push + D.DaemonLog);
        Assert.Contains($"The push refers to repository [{name}]", push.Stdout, StringComparison.Ordinal);
        Assert.Matches(PushDigest(), push.Stdout);
        Assert.Equal(0, (await D.CliAsync("rmi", name + ":2")).ExitCode);

        var pull = await D.CliAsync("pull", name + ":2");
        Assert.True(pull.ExitCode == 0, pull + D.DaemonLog);
        Assert.Contains("Pull complete", pull.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"Status: Downloaded newer image for {name}:2\n{name}:2\n", pull.Stdout, StringComparison.Ordinal);
        Assert.Equal(id, (await D.CliAsync("inspect", "--format", "{{.Id}}", name + ":2")).Stdout.Trim());

        var missing = await D.CliAsync("pull", name + ":absent");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Imports the busybox rootfs plus a unique /marker, so the top layer is new to the store and the registry.</summary>
    private async Task<string> ImportUniqueAsync(string reference)
    {
        string dir = Path.Combine(D.Root, "u-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string tar = Path.Combine(dir, "rootfs.tar");
        File.Copy(fx.RootfsTar, tar);
        await File.WriteAllTextAsync(Path.Combine(dir, "marker"), Guid.NewGuid().ToString("N") + "\n" + new string('x', 4096));
        var append = await ProcessRunner.RunAsync("tar", ["-rf", tar, "-C", dir, "marker"]);
        Assert.True(append.ExitCode == 0, append.ToString());
        var import = await D.DockerAsync("import", tar, reference);
        Assert.True(import.ExitCode == 0, import.ToString());
        return import.Stdout.Trim();
    }

    private async Task<(byte[] Body, string? MediaType)> GetManifestAsync(string path, string reference)
    {
        using var http = new HttpClient();
        using var req = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{fx.Registry.Host}/v2/{path}/manifests/{reference}"));
        req.Headers.TryAddWithoutValidation("Accept",
            "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json");
        using var resp = await http.SendAsync(req);
        Assert.True(resp.IsSuccessStatusCode, $"GET manifest {path}:{reference}: {(int)resp.StatusCode}");
        return (await resp.Content.ReadAsByteArrayAsync(), resp.Content.Headers.ContentType?.MediaType);
    }

    [GeneratedRegex(@": digest: (sha256:[0-9a-f]{64}) size: \d+")]
    private static partial Regex PushDigest();
}
