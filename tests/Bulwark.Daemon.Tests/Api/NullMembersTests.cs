using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Bulwark.Api.Models;
using Bulwark.Daemon.Api;

namespace Bulwark.Daemon.Tests.Api;

public sealed class NullMembersTests
{
    // Every body a client sends: the wire models named *Request.
    private static List<Type> RequestModels() =>
        [.. typeof(DockerJsonContext).Assembly.GetExportedTypes()
            .Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal) && t.IsClass && !t.IsAbstract)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];

    public static TheoryData<Type> RequestTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var t in RequestModels())
        {
            data.Add(t);
        }
        return data;
    }

    [Fact]
    public void RequestTypes_AreFoundByReflection() =>
        Assert.True(RequestModels().Count >= 8, "expected the request models of containers, exec, networks, volumes and secrets");

    [Theory]
    [MemberData(nameof(RequestTypes))]
    public void EveryMemberNull_AtEveryDepth_BindsAsIfAbsent(Type requestType)
    {
        var typeInfo = DockerJsonContext.Default.GetTypeInfo(requestType)!;
        // Each object member is null; in a second body each object-typed member is an object whose members are all null, recursively.
        foreach (bool nested in new[] { false, true })
        {
            string json = AllNull(typeInfo, nested, 0).ToJsonString();
            object? bound = Deserialize(typeInfo, json);
            Assert.NotNull(bound);
            // What a body of only nulls binds to equals what an empty body binds to.
            string expected = JsonSerializer.Serialize(JsonSerializer.Deserialize("{}", typeInfo), typeInfo);
            if (!nested)
            {
                Assert.Equal(expected, JsonSerializer.Serialize(bound, typeInfo));
            }
        }
    }

    [Fact]
    public void WithoutThePolicy_ANullForANonNullableField_IsRefused() =>
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize("""{"Healthcheck":{"StartPeriod":null}}""", DockerJsonContext.Default.ContainerCreateRequest));

    [Fact]
    public void NullHealthcheckStartPeriod_KeepsTheOtherFields()
    {
        var r = NullMembers.Deserialize(
            Encoding.UTF8.GetBytes("""{"Image":"x","Healthcheck":{"Test":["CMD","true"],"Interval":5,"StartPeriod":null,"Retries":null}}"""),
            DockerJsonContext.Default.ContainerCreateRequest);
        Assert.NotNull(r?.Healthcheck);
        Assert.Equal("x", r.Image);
        Assert.Equal(5, r.Healthcheck.Interval);
        Assert.Equal(0, r.Healthcheck.StartPeriod);
        Assert.Equal(["CMD", "true"], r.Healthcheck.Test);
    }

    [Fact]
    public void NullInsideDictionariesAndArrays_IsData_AndKept()
    {
        var r = NullMembers.Deserialize(
            Encoding.UTF8.GetBytes("""{"Labels":{"a":null,"b":"1"},"Cmd":["sh",null],"HostConfig":{"Memory":null,"Privileged":null}}"""),
            DockerJsonContext.Default.ContainerCreateRequest);
        Assert.NotNull(r?.Labels);
        Assert.True(r.Labels.ContainsKey("a"));
        Assert.Equal("1", r.Labels["b"]);
        Assert.Equal(2, r.Cmd?.Count);
        Assert.NotNull(r.HostConfig);
    }

    [Fact]
    public void LiteralNullBody_IsNoBody() =>
        Assert.Null(NullMembers.Deserialize("null"u8, DockerJsonContext.Default.ContainerCreateRequest));

    private static object? Deserialize(JsonTypeInfo typeInfo, string json)
    {
        // ReadOnlySpan cannot be boxed for Invoke: go through a generic helper per T.
        var call = typeof(NullMembersTests).GetMethod(nameof(DeserializeBytes), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeInfo.Type);
        return call.Invoke(null, [Encoding.UTF8.GetBytes(json), typeInfo]);
    }

    private static T? DeserializeBytes<T>(byte[] json, JsonTypeInfo typeInfo) => NullMembers.Deserialize(json, (JsonTypeInfo<T>)typeInfo);

    private static JsonObject AllNull(JsonTypeInfo typeInfo, bool nested, int depth)
    {
        var obj = new JsonObject();
        foreach (var p in typeInfo.Properties)
        {
            var propertyInfo = typeInfo.Options.GetTypeInfo(p.PropertyType);
            obj[p.Name] = nested && depth < 8 && propertyInfo.Kind == JsonTypeInfoKind.Object
                ? AllNull(propertyInfo, nested, depth + 1)
                : null;
        }
        return obj;
    }
}
