using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Registry;

/// <summary>Registries that lie, speak old formats, demand auth or hang up: each is a small stub on 127.0.0.1.</summary>
[Collection(RegistryCollection.Name)]
public sealed class HostileRegistryTests(RegistryFixture fx)
{
    private const string OciIndex = "application/vnd.oci.image.index.v1+json";
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    private static readonly string ArmOnlyIndex = $$$"""
        {"schemaVersion":2,"mediaType":"{{{OciIndex}}}","manifests":[
          {"mediaType":"{{{OciManifest}}}","digest":"sha256:{{{new string('1', 64)}}}","size":100,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
          {"mediaType":"{{{OciManifest}}}","digest":"sha256:{{{new string('2', 64)}}}","size":100,"platform":{"architecture":"s390x","os":"linux"}}]}
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task Schema1Manifest_IsRefusedClearly()
    {
        await using var stub = new StubRegistry(ctx => ctx.Request.Url!.AbsolutePath switch
        {
            "/v2/" => StubRegistry.ReplyJsonAsync(ctx, 200, "{}"),
            "/v2/ns/old/manifests/1" => StubRegistry.ReplyJsonAsync(ctx, 200,
                """{"schemaVersion":1,"name":"ns/old","tag":"1","architecture":"amd64","fsLayers":[],"history":[]}""",
                "application/vnd.docker.distribution.manifest.v1+prettyjws"),
            _ => StubRegistry.NotFoundAsync(ctx),
        });
        var pull = await D.DockerAsync("pull", $"{stub.Host}/ns/old:1");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("schema 1 manifests", pull.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await D.DockerAsync("image", "inspect", $"{stub.Host}/ns/old:1")).ExitCode);
    }

    [Fact]
    public async Task IndexWithoutLinuxAmd64_NamesThePlatformsItHas()
    {
        await using var stub = new StubRegistry(ctx => ctx.Request.Url!.AbsolutePath switch
        {
            "/v2/" => StubRegistry.ReplyJsonAsync(ctx, 200, "{}"),
            "/v2/ns/arm/manifests/1" => StubRegistry.ReplyJsonAsync(ctx, 200, ArmOnlyIndex, OciIndex),
            _ => StubRegistry.NotFoundAsync(ctx),
        });
        var pull = await D.DockerAsync("pull", $"{stub.Host}/ns/arm:1");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("no matching manifest for linux/amd64", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains("linux/arm64/v8", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains("linux/s390x", pull.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(stub.Seen, s => s.Contains(new string('1', 64), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManifestWhoseDigestLies_IsRefused()
    {
        string body = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":" +
            "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + new string('3', 64) + "\",\"size\":2},\"layers\":[]}";
        await using var stub = new StubRegistry(ctx => ctx.Request.Url!.AbsolutePath switch
        {
            "/v2/" => StubRegistry.ReplyJsonAsync(ctx, 200, "{}"),
            _ when ctx.Request.Url!.AbsolutePath.StartsWith("/v2/ns/liar/manifests/", StringComparison.Ordinal) =>
                StubRegistry.ReplyJsonAsync(ctx, 200, body, OciManifest),
            _ => StubRegistry.NotFoundAsync(ctx),
        });
        string claimed = "sha256:" + new string('4', 64);
        var pull = await D.DockerAsync("pull", $"{stub.Host}/ns/liar@{claimed}");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("digest mismatch", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains(claimed, pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionDroppedMidLayer_LeavesNoTagAndNoPartialBlob()
    {
        byte[] layer = new byte[1_000_000];
        Random.Shared.NextBytes(layer);
        string layerDigest = StubRegistry.Sha256(layer);
        string manifest = $$"""
            {"schemaVersion":2,"mediaType":"{{OciManifest}}",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{{new string('5', 64)}}","size":10},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layerDigest}}","size":{{layer.Length}}}]}
            """;
        await using var stub = new StubRegistry(async ctx =>
        {
            string path = ctx.Request.Url!.AbsolutePath;
            if (path == "/v2/")
            {
                await StubRegistry.ReplyJsonAsync(ctx, 200, "{}");
            }
            else if (path == "/v2/ns/drop/manifests/1")
            {
                await StubRegistry.ReplyJsonAsync(ctx, 200, manifest, OciManifest);
            }
            else if (path == $"/v2/ns/drop/blobs/{layerDigest}")
            {
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentLength64 = layer.Length;
                await ctx.Response.OutputStream.WriteAsync(layer.AsMemory(0, layer.Length / 2));
                await ctx.Response.OutputStream.FlushAsync();
                await Task.Delay(200);
                ctx.Response.Abort();
            }
            else
            {
                await StubRegistry.NotFoundAsync(ctx);
            }
        });
        var pull = await D.DockerAsync("pull", $"{stub.Host}/ns/drop:1");
        Assert.True(pull.ExitCode == 1, pull.ToString());
        Assert.NotEqual(0, (await D.DockerAsync("image", "inspect", $"{stub.Host}/ns/drop:1")).ExitCode);
        Assert.False(File.Exists(Path.Combine(D.DataRoot, "content/blobs/sha256", layerDigest["sha256:".Length..])));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(D.DataRoot, "content/ingest")));
        Assert.Equal(0, (await D.DockerAsync("version")).ExitCode);
    }

    [Fact]
    public async Task BearerChallenge_WithoutCredentials_IsUnauthorized()
    {
        await using var stub = AuthStub(out _);
        var pull = await D.DockerAsync("pull", $"{stub.Host}/ns/private:1");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("unauthorized", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BearerChallenge_WithCredentialsFromTheCliConfig_GetsAToken()
    {
        await using var stub = AuthStub(out string realm);

        // The docker CLI sends X-Registry-Auth from its config for the registry it pulls from.
        string config = Path.Combine(D.Root, "docker-config");
        Directory.CreateDirectory(config);
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret"));
        await File.WriteAllTextAsync(Path.Combine(config, "config.json"), "{\"auths\":{\"" + stub.Host + "\":{\"auth\":\"" + auth + "\"}}}");
        try
        {
            var pull = await D.DockerAsync("pull", $"{stub.Host}/ns/private:1");

            // Past the auth, the stub only has an arm64 index: reaching it proves the token was obtained and used.
            Assert.Equal(1, pull.ExitCode);
            Assert.Contains("no matching manifest for linux/amd64", pull.Stderr, StringComparison.Ordinal);
            var tokenRequest = Assert.Single(stub.Seen, s => s.StartsWith("GET /token", StringComparison.Ordinal) && s.Contains("Basic", StringComparison.Ordinal));
            Assert.Contains("service=stub-registry", tokenRequest, StringComparison.Ordinal);
            Assert.Contains("scope=repository%3Ans%2Fprivate%3Apull", tokenRequest, StringComparison.Ordinal);
            Assert.Contains(stub.Seen, s => s.StartsWith("GET /v2/ns/private/manifests/1", StringComparison.Ordinal) && s.EndsWith("| Bearer tok-alice", StringComparison.Ordinal));
            Assert.StartsWith("http://", realm, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(Path.Combine(config, "config.json"));
        }
    }

    /// <summary>Everything under /v2/ needs "Bearer tok-alice"; /token hands it out for alice:s3cret only.</summary>
    private static StubRegistry AuthStub(out string realm)
    {
        string? realmValue = null;
        var stub = new StubRegistry(ctx =>
        {
            string path = ctx.Request.Url!.AbsolutePath;
            string? authorization = ctx.Request.Headers["Authorization"];
            if (path == "/token")
            {
                string alice = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret"));
                return authorization == alice
                    ? StubRegistry.ReplyJsonAsync(ctx, 200, """{"token":"tok-alice"}""")
                    : StubRegistry.ReplyJsonAsync(ctx, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}""");
            }

            if (authorization != "Bearer tok-alice")
            {
                string scope = path.StartsWith("/v2/ns/private/", StringComparison.Ordinal) ? ",scope=\"repository:ns/private:pull\"" : "";
                return StubRegistry.ReplyJsonAsync(ctx, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""",
                    headers: new Dictionary<string, string>
                    {
                        ["WWW-Authenticate"] = $"Bearer realm=\"{realmValue}\",service=\"stub-registry\"{scope}",
                    });
            }

            return path switch
            {
                "/v2/" => StubRegistry.ReplyJsonAsync(ctx, 200, "{}"),
                "/v2/ns/private/manifests/1" => StubRegistry.ReplyJsonAsync(ctx, 200, ArmOnlyIndex, OciIndex),
                _ => StubRegistry.NotFoundAsync(ctx),
            };
        });
        realmValue = $"http://{stub.Host}/token";
        realm = realmValue;
        return stub;
    }
}
