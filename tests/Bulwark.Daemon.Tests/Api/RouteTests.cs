using Bulwark.Daemon.Api;

namespace Bulwark.Daemon.Tests.Api;

public sealed class RouteTests
{
    private static readonly Func<Bulwark.Daemon.Http.HttpContext, Task> Nop = _ => Task.CompletedTask;

    [Fact]
    public void TryMatch_GreedySegmentInTheMiddle_TakesTheSlashedImageName()
    {
        var route = new Route("POST", "/images/{name*}/tag", Nop);
        var values = new Dictionary<string, string>();
        Assert.True(route.TryMatch(["images", "localhost:5000", "team", "app:1", "tag"], values));
        Assert.Equal("localhost:5000/team/app:1", values["name"]);
    }

    [Fact]
    public void TryMatch_GreedyLastSegment_TakesTheRest()
    {
        var route = new Route("DELETE", "/images/{name*}", Nop);
        var values = new Dictionary<string, string>();
        Assert.True(route.TryMatch(["images", "a", "b"], values));
        Assert.Equal("a/b", values["name"]);
    }

    [Fact]
    public void TryMatch_WrongLiteralOrLength_DoesNotMatch()
    {
        var route = new Route("POST", "/containers/{id}/start", Nop);
        var values = new Dictionary<string, string>();
        Assert.False(route.TryMatch(["containers", "x", "stop"], values));
        Assert.False(route.TryMatch(["containers", "x"], values));
        Assert.True(route.TryMatch(["containers", "abc", "start"], values));
        Assert.Equal("abc", values["id"]);
    }

    [Theory]
    [InlineData("/v1.44/containers/json", "1.44", "/containers/json")]
    [InlineData("/containers/json", null, "/containers/json")]
    [InlineData("/v1.24/_ping", "1.24", "/_ping")]
    public void SplitVersion_OptionalPrefix_IsSeparated(string path, string? version, string rest)
    {
        var (v, r) = ApiVersioning.SplitVersion(path);
        Assert.Equal(version, v);
        Assert.Equal(rest, r);
    }

    [Fact]
    public void Compare_NumericComponents_AreComparedAsNumbers()
    {
        Assert.True(ApiVersioning.Compare("1.9", "1.44") < 0);
        Assert.True(ApiVersioning.Compare("1.50", "1.44") > 0);
        Assert.Equal(0, ApiVersioning.Compare("1.44", "1.44"));
    }
}
