using System.Text.Json;
using Bulwark.Daemon.Access;

namespace Bulwark.Daemon.Tests.Access;

public sealed class AuthorizationPolicyTests
{
    private static AuthorizationPolicy Read(string json) => AuthorizationPolicy.Read(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void IssueExample_BindsSubjectsToBuiltInAndCustomRoles()
    {
        var policy = Read("""
            { "bindings": { "cert:alice": "viewer", "uid:1001": "operator", "user:deploy": "deployer", "group:ops": "admin" },
              "roles": { "deployer": { "allow": ["image.pull", "container.create", "container.start", "container.logs"] } } }
            """);
        Assert.Same(Role.Viewer, policy.Bindings["cert:alice"]);
        Assert.Same(Role.Operator, policy.Bindings["uid:1001"]);
        Assert.Same(Role.Admin, policy.Bindings["group:ops"]);
        var deployer = policy.Bindings["user:deploy"];
        Assert.True(deployer.Allows("container.start"));
        Assert.False(deployer.Allows("container.remove"));
    }

    [Theory]
    [InlineData("""{ "bindings": { "uid:1": "root" } }""", "unknown role \"root\"")]
    [InlineData("""{ "bindings": { "host:x": "viewer" } }""", "invalid subject \"host:x\"")]
    [InlineData("""{ "bindings": { "uid:bob": "viewer" } }""", "uid must be a number")]
    [InlineData("""{ "bindings": {}, "roles": { "r": { "allow": ["container.fly"] } } }""", "unknown action \"container.fly\"")]
    [InlineData("""{ "bindings": {}, "roles": { "r": { "allow": [], "deny": [] } } }""", "unknown key \"deny\"")]
    [InlineData("""{ "bindings": {}, "roles": { "viewer": { "allow": [] } } }""", "built in")]
    [InlineData("""{ "roles": {} }""", "needs \"bindings\"")]
    [InlineData("""{ "bindings": {}, "groups": {} }""", "unknown key \"groups\"")]
    public void BadSection_IsRefusedNamingTheCause(string json, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Read(json));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
