using Bulwark.Engine.Errors;
using Bulwark.Engine.Volumes;

namespace Bulwark.Engine.Tests.Volumes;

public sealed class VolumeNameTests
{
    [Theory]
    [InlineData("ab")]
    [InlineData("data")]
    [InlineData("my_vol.1-x")]
    [InlineData("0a")]
    public void Valid_NamesMatchDockersPattern(string name) => Assert.True(VolumeName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("_under")]
    [InlineData("-dash")]
    [InlineData("sp ace")]
    [InlineData("new\nline")]
    [InlineData("trailing\n")]
    [InlineData("nul\0byte")]
    [InlineData("ünïcode")]
    public void Invalid_NamesAreRefusedInDockersWords(string name)
    {
        Assert.False(VolumeName.IsValid(name));
        var ex = Assert.Throws<EngineException>(() => VolumeName.Validate(name));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("includes invalid characters for a local volume name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_VeryLongName_IsRefused() => Assert.False(VolumeName.IsValid(new string('a', 256)));
}
