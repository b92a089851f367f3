using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Images.Manifests;

namespace Bulwark.Engine.Tests.Images;

public sealed class ImageChangesTests
{
    [Fact]
    public void Apply_ShellAndJsonForms_Parsed()
    {
        var c = ImageChanges.Apply(new ContainerConfigDocument(), ["cmd echo hi", "ENTRYPOINT [\"/e\"]", "VOLUME /a /b", "ENV X=1", "ENV X=2"]);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], c.Cmd);
        Assert.Equal(["/e"], c.Entrypoint);
        Assert.Equal(["/a", "/b"], c.Volumes!.Keys);
        Assert.Equal(["X=2"], c.Env);
    }

    [Theory]
    [InlineData("EXPOSE abc")]
    [InlineData("CMD [not json")]
    [InlineData("LABEL novalue")]
    [InlineData("FROM x")]
    [InlineData("USER")]
    public void Apply_Invalid_InvalidArgument(string change) =>
        Assert.Equal(ErrorKind.InvalidArgument,
            Assert.Throws<EngineException>(() => ImageChanges.Apply(new ContainerConfigDocument(), [change])).Kind);
}
