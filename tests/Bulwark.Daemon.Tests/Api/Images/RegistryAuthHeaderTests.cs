using System.Text;
using Bulwark.Daemon.Api.Images;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Tests.Api.Images;

public sealed class RegistryAuthHeaderTests
{
    private static string B64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("e30=")]
    [InlineData("e30")]
    public void AbsentOrEmpty_IsAnonymous(string? header) => Assert.Null(RegistryEndpoints.Credentials(header));

    [Fact]
    public void UsernameAndPassword()
    {
        var c = RegistryEndpoints.Credentials(B64Url("""{"username":"alice","password":"p?>>w","serveraddress":"127.0.0.1:5000"}"""));
        Assert.NotNull(c);
        Assert.Equal("alice", c.Username);
        Assert.Equal("p?>>w", c.Password);
    }

    [Fact]
    public void AuthField_IsSplitAtTheFirstColon()
    {
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:pa:ss"));
        var c = RegistryEndpoints.Credentials(B64Url($$"""{"auth":"{{auth}}"}"""));
        Assert.NotNull(c);
        Assert.Equal("bob", c.Username);
        Assert.Equal("pa:ss", c.Password);
    }

    [Fact]
    public void Credentials_NeverPrintThePassword() =>
        Assert.DoesNotContain("secret", RegistryEndpoints.Credentials(B64Url("""{"username":"u","password":"secret"}"""))!.ToString(),
            StringComparison.Ordinal);

    [Theory]
    [InlineData("!!!not-base64")]
    [InlineData("bm90IGpzb24")]
    public void Garbage_IsABadRequest(string header) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => RegistryEndpoints.Credentials(header)).Kind);
}
