using Bulwark.Engine.Registry;

namespace Bulwark.Engine.Tests.Registry;

public sealed class RegistryHostsTests
{
    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.9.8.7", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("registry.example:443", false)]
    [InlineData("localhost.example.com", false)]
    [InlineData("128.0.0.1", false)]
    public void Loopback(string domain, bool expected) => Assert.Equal(expected, RegistryHosts.IsLoopback(domain));

    [Fact]
    public void PlainHttp_OnlyForLoopbackAndListedRegistries()
    {
        string[] insecure = ["registry.lan:5000", "10.1.0.0/16"];
        Assert.True(RegistryHosts.AllowsPlainHttp("127.0.0.1:5000", []));
        Assert.True(RegistryHosts.AllowsPlainHttp("registry.lan:5000", insecure));
        Assert.False(RegistryHosts.AllowsPlainHttp("registry.lan:5001", insecure));
        Assert.True(RegistryHosts.AllowsPlainHttp("10.1.2.3:5000", insecure));
        Assert.False(RegistryHosts.AllowsPlainHttp("10.2.0.1:5000", insecure));
        Assert.False(RegistryHosts.AllowsPlainHttp("ghcr.io", insecure));
    }

    [Fact]
    public void BaseUri_HttpsByDefault()
    {
        Assert.Equal("https://ghcr.io/", RegistryHosts.BaseUri("ghcr.io", []).ToString());
        Assert.Equal("http://127.0.0.1:5000/", RegistryHosts.BaseUri("127.0.0.1:5000", []).ToString());
        Assert.Equal("http://reg.lan:8080/", RegistryHosts.BaseUri("reg.lan:8080", ["reg.lan:8080"]).ToString());
    }
}
