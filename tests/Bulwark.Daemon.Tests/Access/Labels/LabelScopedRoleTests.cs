using System.Text.Json;
using Bulwark.Daemon.Access;

namespace Bulwark.Daemon.Tests.Access.Labels;

public sealed class LabelScopedRoleTests
{
    private static AuthorizationPolicy Read(string json) => AuthorizationPolicy.Read(JsonDocument.Parse(json).RootElement);

    private static Role TeamA(string allow = "\"container.*\"") => Read($$"""
        { "bindings": { "uid:1001": "team-a" }, "roles": { "team-a": { "allow": [{{allow}}], "labels": { "team": "a" } } } }
        """).Bindings["uid:1001"];

    [Fact]
    public void ContainerWildcard_WithLabels_GrantsSingleContainerActionsOnMatchingLabelsOnly()
    {
        var role = TeamA();
        Assert.False(role.Allows("container.start")); // never unconditionally
        Assert.True(role.AllowsOnMatchingLabels("container.create"));
        Assert.True(role.AllowsOnMatchingLabels("container.start"));
        Assert.True(role.AllowsOnMatchingLabels("container.exec"));
        Assert.False(role.AllowsOnMatchingLabels("container.list")); // no single object to match
        Assert.False(role.AllowsOnMatchingLabels("container.prune"));
        Assert.False(role.AllowsOnMatchingLabels("image.remove"));
        Assert.Equal("team=a", role.Labels!.ToString());
    }

    [Fact]
    public void Wildcard_WithoutLabels_IsEveryActionOfThatKind()
    {
        var role = Read("""{ "bindings": { "uid:1": "vols" }, "roles": { "vols": { "allow": ["volume.*"] } } }""").Bindings["uid:1"];
        Assert.True(role.Allows("volume.list"));
        Assert.True(role.Allows("volume.prune"));
        Assert.False(role.Allows("container.list"));
    }

    [Theory]
    [InlineData("""{ "team": "a" }""", true)]
    [InlineData("""{ "team": "a", "tier": "web" }""", true)]
    [InlineData("""{ "team": "b" }""", false)]
    [InlineData("""{ "TEAM": "a" }""", false)]
    [InlineData("""{}""", false)]
    public void Selector_NeedsEveryKeyWithItsExactValue(string labels, bool matches)
    {
        var map = JsonDocument.Parse(labels).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(matches, TeamA().Labels!.Matches(map));
    }

    [Fact]
    public void Selector_NoLabelsKnown_DoesNotMatch() => Assert.False(TeamA().Labels!.Matches(null));

    [Theory]
    [InlineData("""{ "allow": ["container.list"], "labels": { "team": "a" } }""", "container.list acts on no single labelled object")]
    [InlineData("""{ "allow": ["container.start"], "labels": {} }""", "\"labels\" must be a non-empty object")]
    [InlineData("""{ "allow": ["container.start"], "labels": { "team": 1 } }""", "label \"team\" must have a string value")]
    [InlineData("""{ "allow": ["container.start"], "labels": ["team=a"] }""", "\"labels\" must be a non-empty object")]
    [InlineData("""{ "allow": ["rocket.*"] }""", "unknown action \"rocket.*\"")]
    public void BadLabelRole_IsRefusedNamingTheCause(string role, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Read($$"""{ "bindings": {}, "roles": { "r": {{role}} } }"""));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
