using Bulwark.Engine.Errors;
using Bulwark.Engine.Security;

namespace Bulwark.Engine.Tests.Security;

public sealed class DeviceCgroupRuleTests
{
    [Theory]
    [InlineData("c 1:3 mr", "c", 1L, 3L, "mr")]
    [InlineData("b 8:* rw", "b", 8L, null, "rw")]
    [InlineData("a *:* rwm", "a", null, null, "rwm")]
    public void Parse_DockersSyntax_GivesAnAllowRule(string text, string type, long? major, long? minor, string access)
    {
        var oci = DeviceCgroupRule.Parse(text).ToOci();
        Assert.True(oci.Allow);
        Assert.Equal((type, major, minor, access), (oci.Type, oci.Major, oci.Minor, oci.Access));
    }

    [Theory]
    [InlineData("")]
    [InlineData("c 1:3")]
    [InlineData("d 1:3 r")]
    [InlineData("c 1 r")]
    [InlineData("c -1:3 r")]
    [InlineData("c 1:3 rr")]
    [InlineData("c 1:3 rwmx")]
    [InlineData("c 1:3 r extra")]
    public void Parse_Malformed_IsRefusedNamingTheRule(string text)
    {
        var ex = Assert.Throws<EngineException>(() => DeviceCgroupRule.Parse(text));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains($"invalid device cgroup format '{text}'", ex.Message, StringComparison.Ordinal);
    }
}
