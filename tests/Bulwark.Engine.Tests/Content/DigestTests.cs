using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Tests.Content;

public sealed class DigestTests
{
    [Fact]
    public void Parse_Valid_ExposesHexAndShort()
    {
        var d = Digest.Parse("sha256:" + new string('a', 64));
        Assert.Equal(new string('a', 64), d.Hex);
        Assert.Equal(new string('a', 12), d.Short);
        Assert.Equal("sha256:" + new string('a', 64), d.ToString());
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("sha512:aaaa")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Parse_Invalid_InvalidArgument(string value) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => Digest.Parse(value)).Kind);

    [Fact]
    public void Compute_KnownVector() =>
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Compute([]).Value);
}
