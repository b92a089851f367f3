using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;

namespace Bulwark.Engine.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox", "busybox", null)]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "1.36")]
    [InlineData("user/app:v", "docker.io/user/app:v", "user/app:v", "v")]
    [InlineData("docker.io/library/alpine:3", "docker.io/library/alpine:3", "alpine:3", "3")]
    [InlineData("index.docker.io/library/alpine", "docker.io/library/alpine", "alpine", null)]
    [InlineData("localhost:5000/x/y:z", "localhost:5000/x/y:z", "localhost:5000/x/y:z", "z")]
    [InlineData("ghcr.io/o/r", "ghcr.io/o/r", "ghcr.io/o/r", null)]
    [InlineData("localhost/app", "localhost/app", "localhost/app", null)]
    public void TryParse_Valid_Normalised(string input, string full, string familiar, string? tag)
    {
        Assert.True(ImageReference.TryParse(input, out var r));
        Assert.Equal(full, r.Full);
        Assert.Equal(familiar, r.Familiar);
        Assert.Equal(tag, r.Tag);
    }

    [Fact]
    public void TryParse_Digest_Kept()
    {
        string d = "sha256:" + new string('a', 64);
        Assert.True(ImageReference.TryParse("busybox@" + d, out var r));
        Assert.Equal(d, r.Digest);
        Assert.Equal("busybox@" + d, r.Familiar);
    }

    [Theory]
    [InlineData("")]
    [InlineData("UPPER")]
    [InlineData("a b")]
    [InlineData("x:")]
    [InlineData("x@sha256:123")]
    [InlineData("-x")]
    [InlineData("x/:tag")]
    public void TryParse_Invalid_False(string input) => Assert.False(ImageReference.TryParse(input, out _));

    [Fact]
    public void Parse_Invalid_InvalidArgumentNamingIt()
    {
        var ex = Assert.Throws<EngineException>(() => ImageReference.Parse("Bad"));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("\"Bad\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithDefaultTag_AddsLatest() =>
        Assert.Equal("docker.io/library/a:latest", ImageReference.Parse("a").WithDefaultTag().Full);
}
