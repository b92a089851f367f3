using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Tests.Containers;

public sealed class ContainerNameTests
{
    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web-1.a_b", "web-1.a_b")]
    public void ValidNames_AreAcceptedWithoutTheirLeadingSlash(string name, string expected) =>
        Assert.Equal(expected, ContainerService.ValidateName(name));

    [Theory]
    [InlineData("web\n")]
    [InlineData("a")]
    [InlineData("-web")]
    [InlineData("we b")]
    [InlineData("../x")]
    public void InvalidNames_AreRefused_IncludingATrailingNewline(string name) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => ContainerService.ValidateName(name)).Kind);
}
