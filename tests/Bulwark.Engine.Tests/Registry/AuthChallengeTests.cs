using Bulwark.Engine.Registry;

namespace Bulwark.Engine.Tests.Registry;

public sealed class AuthChallengeTests
{
    [Fact]
    public void Parse_BearerWithRealmServiceAndScope()
    {
        var c = AuthChallenge.Parse(
            "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:ns/app:pull,push\"");
        Assert.NotNull(c);
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.example/token", c.Realm);
        Assert.Equal("registry.example", c.Service);
        Assert.Equal("repository:ns/app:pull,push", c.Scope);
    }

    [Fact]
    public void Parse_IsCaseInsensitiveAndAcceptsSpacesAndBareTokens()
    {
        var c = AuthChallenge.Parse("bearer  Realm = \"http://127.0.0.1:1/t\" , SERVICE=reg");
        Assert.NotNull(c);
        Assert.True(c.IsBearer);
        Assert.Equal("http://127.0.0.1:1/t", c.Realm);
        Assert.Equal("reg", c.Service);
        Assert.Null(c.Scope);
    }

    [Fact]
    public void Parse_QuotedValuesKeepCommasAndEscapes()
    {
        var c = AuthChallenge.Parse("Bearer realm=\"r\",scope=\"repository:a:pull repository:b:pull,push\",error=\"say \\\"no\\\"\"");
        Assert.NotNull(c);
        Assert.Equal("repository:a:pull repository:b:pull,push", c.Scope);
        Assert.Equal("say \"no\"", c.Parameters["error"]);
    }

    [Fact]
    public void Parse_Basic()
    {
        var c = AuthChallenge.Parse("Basic realm=\"Registry Realm\"");
        Assert.NotNull(c);
        Assert.True(c.IsBasic);
        Assert.False(c.IsBearer);
        Assert.Equal("Registry Realm", c.Realm);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Bearer realm=\"unterminated")]
    [InlineData("Bearer realm")]
    [InlineData("=x")]
    public void Parse_Malformed_IsNull(string? header) => Assert.Null(AuthChallenge.Parse(header));
}
