using Bulwark.Cli.Trust;

namespace Bulwark.Cli.Tests.Trust;

public sealed class TrustServerEndpointTests : IDisposable
{
    private readonly string config = Directory.CreateTempSubdirectory("bulwark-trustserver-").FullName;

    [Fact]
    public void Resolve_PrefersTheFlag_ThenDockerContentTrustServer_ThenTheRegistryHost()
    {
        var env = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = config, ["DOCKER_CONTENT_TRUST_SERVER"] = "https://notary.example:4443" };
        Assert.Equal("https://flag.example/", TrustServerEndpoint.Resolve("reg.example:5000", "https://flag.example", null, k => env.GetValueOrDefault(k)).Url.ToString());
        Assert.Equal("https://notary.example:4443/", TrustServerEndpoint.Resolve("reg.example:5000", null, null, k => env.GetValueOrDefault(k)).Url.ToString());
        env.Remove("DOCKER_CONTENT_TRUST_SERVER");
        Assert.Equal("https://reg.example:5000/", TrustServerEndpoint.Resolve("reg.example:5000", null, null, k => env.GetValueOrDefault(k)).Url.ToString());
        Assert.Equal("https://notary.docker.io/", TrustServerEndpoint.Resolve("docker.io", null, null, k => env.GetValueOrDefault(k)).Url.ToString());
    }

    [Fact]
    public void Resolve_TakesTheCaFromDockerConfigTlsHostPort_LikeTheDockerCli()
    {
        string dir = Path.Combine(config, "tls", "notary.example:4443");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "ca.crt"), "x");
        var endpoint = TrustServerEndpoint.Resolve("reg", "https://notary.example:4443", null, k => k == "DOCKER_CONFIG" ? config : null);
        Assert.Equal([Path.Combine(dir, "ca.crt")], endpoint.CaFiles);
        Assert.Empty(TrustServerEndpoint.Resolve("reg", "https://other.example", null, k => k == "DOCKER_CONFIG" ? config : null).CaFiles);
    }

    [Fact]
    public void Resolve_RefusesAPlainHttpServerAndAMissingCaFile()
    {
        var http = Assert.Throws<CliException>(() => TrustServerEndpoint.Resolve("reg", "http://notary.example", null, _ => null));
        Assert.Contains("valid https URL required for trust server", http.Message, StringComparison.Ordinal);
        var ca = Assert.Throws<CliException>(() => TrustServerEndpoint.Resolve("reg", "https://notary.example", Path.Combine(config, "none.crt"), _ => null));
        Assert.Contains("trust server CA file not found", ca.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("busybox:1", "docker.io/library/busybox", "docker.io", "1")]
    [InlineData("team/app", "docker.io/team/app", "docker.io", null)]
    [InlineData("127.0.0.1:5000/team/app:v2", "127.0.0.1:5000/team/app", "127.0.0.1:5000", "v2")]
    [InlineData("localhost/app:x", "localhost/app", "localhost", "x")]
    public void RepositoryName_IsTheNotaryGun(string reference, string gun, string host, string? tag)
    {
        var name = TrustedRepositoryName.Parse(reference, tagRequired: false);
        Assert.Equal(new TrustedRepositoryName(gun, host, tag), name);
    }

    [Fact]
    public void RepositoryName_RefusesADigestAndAMissingTagWhenOneIsRequired()
    {
        Assert.Contains("not digests", Assert.Throws<CliException>(() => TrustedRepositoryName.Parse("a/b@sha256:00", false)).Message, StringComparison.Ordinal);
        Assert.Contains("no tag specified", Assert.Throws<CliException>(() => TrustedRepositoryName.Parse("a/b", true)).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(config, recursive: true);
}
