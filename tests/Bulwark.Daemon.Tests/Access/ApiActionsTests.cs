using Bulwark.Daemon.Access;
using Bulwark.Daemon.Access.Audit;
using Bulwark.Daemon.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Daemon.Tests.Access;

public sealed class ApiActionsTests
{
    [Fact]
    public void EveryRouteTheRouterMaps_HasAnAction()
    {
        var router = new DockerApiRouter(NullLogger.Instance);
        ApiEndpoints.MapAll(router, null!, new AuditReader(new AuditFiles("/nonexistent")));
        var classified = ApiActions.ClassifiedRoutes.ToHashSet();
        var missing = router.Routes.Where(r => !classified.Contains((r.Method, r.Template))).Select(r => r.Method + " " + r.Template).ToList();
        Assert.True(missing.Count == 0, "routes without an action in Access/ApiActions.cs: " + string.Join(", ", missing));
        Assert.NotEmpty(router.Routes);
    }

    [Theory]
    [InlineData("POST", "/containers/create", "container.create", "web")]
    [InlineData("POST", "/containers/abc/start", "container.start", "abc")]
    [InlineData("DELETE", "/images/registry.local/team/app:1", "image.remove", "registry.local/team/app:1")]
    [InlineData("POST", "/images/create", "image.pull", "busybox")]
    [InlineData("HEAD", "/containers/abc/archive", "container.copy-from", "abc")]
    [InlineData("GET", "/containers/abc/json", "container.inspect", "abc")]
    [InlineData("POST", "/bulwark/containers/abc/isolate", "container.isolate", "abc")]
    [InlineData("GET", "/bulwark/containers/abc/evidence", "container.evidence", "abc")]
    [InlineData("POST", "/no/such/route", ApiActions.Unclassified, "")]
    public void Classify_NamesActionAndTarget(string method, string path, string action, string target)
    {
        var query = path switch
        {
            "/containers/create" => new Dictionary<string, string> { ["name"] = "web" },
            "/images/create" => new Dictionary<string, string> { ["fromImage"] = "busybox", ["tag"] = "1" },
            _ => [],
        };
        string? Query(string key) => query.GetValueOrDefault(key);
        Assert.Equal((action, target), ApiActions.Classify(method, path, Query));
    }

    [Fact]
    public void BuiltInRoles_ViewerReadsOnly_OperatorRunsButDoesNotBuildOrDelete_AdminDoesAll()
    {
        Assert.True(Role.Viewer.Allows("container.list"));
        Assert.False(Role.Viewer.Allows("container.create"));
        Assert.False(Role.Viewer.Allows("container.exec"));
        Assert.True(Role.Operator.Allows("container.exec"));
        Assert.True(Role.Operator.Allows("image.pull"));
        Assert.False(Role.Operator.Allows("image.push"));
        Assert.False(Role.Operator.Allows("secret.create"));
        Assert.False(Role.Operator.Allows("audit.read"));
        Assert.All(ApiActions.All, a => Assert.True(Role.Admin.Allows(a)));
        Assert.True(Role.Admin.Allows(ApiActions.Unclassified));
        Assert.False(Role.Operator.Allows(ApiActions.Unclassified));
    }
}
