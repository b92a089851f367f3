using Bulwark.Api.Models.Secrets;
using Bulwark.Daemon.Api.Containers;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Tests.Api.Containers;

public sealed class SecretReferenceMapperTests
{
    [Fact]
    public void Label_SeveralReferencesWithOptions_MapToEngineRequests()
    {
        var labels = new Dictionary<string, string> { [SecretReferenceSyntax.Label] = "db@2,target=pw,uid=1000,gid=100,mode=0400; source=api" };

        var specs = SecretReferenceMapper.Map(null, labels);

        Assert.Equal(2, specs.Count);
        Assert.Equal(("db", 2L, "pw", 1000u, 100u, 0x100), (specs[0].Secret, specs[0].Version!.Value, specs[0].Target!, specs[0].Uid!.Value, specs[0].Gid!.Value, specs[0].Mode!.Value));
        Assert.Equal("api", specs[1].Secret);
        Assert.Null(specs[1].Target);
        Assert.Null(specs[1].Mode);
    }

    [Fact]
    public void Field_AndLabel_AreCombined()
    {
        var field = new List<SecretReference> { new() { SecretName = "a", File = new SecretFileTarget { Name = "/run/secrets/x", Mode = 0x124 } } };

        var specs = SecretReferenceMapper.Map(field, new Dictionary<string, string> { [SecretReferenceSyntax.Label] = "b" });

        Assert.Equal(new[] { "a", "b" }, specs.Select(s => s.Secret));
        Assert.Equal("/run/secrets/x", specs[0].Target);
    }

    [Theory]
    [InlineData("db,mode=4755", "not an octal permission mode")]
    [InlineData("db,mode=9", "not an octal permission mode")]
    [InlineData("db,uid=root", "uid \"root\" is not a number")]
    [InlineData("db@x", "version \"x\" is not a positive number")]
    [InlineData("db,colour=red", "unknown option \"colour\"")]
    [InlineData("target=x", "no secret name")]
    [InlineData("a,b", "more than one secret name")]
    public void Label_BadReference_InvalidNamingTheLabelAndCause(string text, string expected)
    {
        var ex = Assert.Throws<EngineException>(() => SecretReferenceMapper.Map(null, new Dictionary<string, string> { [SecretReferenceSyntax.Label] = text }));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(SecretReferenceSyntax.Label, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Field_NonNumericUid_Invalid()
    {
        var field = new List<SecretReference> { new() { SecretName = "a", File = new SecretFileTarget { UID = "nobody" } } };

        var ex = Assert.Throws<EngineException>(() => SecretReferenceMapper.Map(field, null));

        Assert.Contains("File.UID \"nobody\" is not a number", ex.Message, StringComparison.Ordinal);
    }
}
