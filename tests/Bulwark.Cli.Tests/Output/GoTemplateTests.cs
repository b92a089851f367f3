using System.Text.Json;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Tests.Output;

public sealed class GoTemplateTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse("""
        {"Id":"abc","State":{"Status":"running","Pid":42,"Running":true},"Config":{"Labels":{"app":"web","a.b":"c"},"Cmd":["sh","-c","x"]},"Mounts":[]}
        """).RootElement;

    [Theory]
    [InlineData("{{.State.Status}}", "running")]
    [InlineData("{{.state.pid}}", "42")]
    [InlineData("id={{.Id}} pid={{.State.Pid}}", "id=abc pid=42")]
    [InlineData("{{json .Config.Labels}}", "{\"app\":\"web\",\"a.b\":\"c\"}")]
    [InlineData("{{index .Config.Labels \"a.b\"}}", "c")]
    [InlineData("{{join .Config.Cmd \" \"}}", "sh -c x")]
    [InlineData("{{.Config.Cmd}}", "[sh -c x]")]
    [InlineData("{{.Config.Labels}}", "map[a.b:c app:web]")]
    [InlineData("{{len .Mounts}}", "0")]
    [InlineData("{{upper .State.Status}}", "RUNNING")]
    [InlineData("{{.Nope}}", "<no value>")]
    [InlineData("{{.State.Running}}", "true")]
    [InlineData("a {{- .Id -}} b", "aabcb")]
    public void Execute_Template_RendersLikeGo(string template, string expected) =>
        Assert.Equal(expected, GoTemplate.Parse(template).Execute(Doc));

    [Fact]
    public void Parse_UnknownFunction_Exit1() =>
        Assert.Equal(1, Assert.Throws<CliException>(() => GoTemplate.Parse("{{range .Mounts}}").Execute(Doc)).ExitCode);
}
