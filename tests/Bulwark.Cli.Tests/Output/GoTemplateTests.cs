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

    [Theory]
    [InlineData("{{range .Config.Cmd}}[{{.}}]{{end}}", "[sh][-c][x]")]
    [InlineData("{{range $i, $c := .Config.Cmd}}{{$i}}={{$c}} {{end}}", "0=sh 1=-c 2=x ")]
    [InlineData("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}};{{end}}", "a.b:c;app:web;")]
    [InlineData("{{range .Mounts}}x{{else}}none{{end}}", "none")]
    [InlineData("{{if .State.Running}}up{{else}}down{{end}}", "up")]
    [InlineData("{{if eq .State.Status \"exited\"}}a{{else if eq .State.Pid 42}}b{{else}}c{{end}}", "b")]
    [InlineData("{{if and .State.Running (gt .State.Pid 1)}}yes{{end}}", "yes")]
    [InlineData("{{if not .Mounts}}empty{{end}}", "empty")]
    [InlineData("{{with .State}}{{.Status}}/{{$.Id}}{{end}}", "running/abc")]
    [InlineData("{{.State.Status | upper}}", "RUNNING")]
    [InlineData("{{.Id | printf \"%s!\"}}", "abc!")]
    [InlineData("{{printf \"%-8s|\" .Id}}", "abc     |")]
    [InlineData("{{index .Config.Cmd 1}}", "-c")]
    [InlineData("{{$x := .Id}}{{$x}}{{$x}}", "abcabc")]
    [InlineData("{{json (index .Config.Labels \"app\")}}", "\"web\"")]
    [InlineData("{{upper (lower .State.Status)}}", "RUNNING")]
    [InlineData("{{/* a comment */}}ok", "ok")]
    public void Execute_ControlStructures_RenderLikeGo(string template, string expected) =>
        Assert.Equal(expected, GoTemplate.Parse(template).Execute(Doc));

    [Theory]
    [InlineData("{{nosuch .Id}}")]
    [InlineData("{{if .Id}}unclosed")]
    [InlineData("{{end}}")]
    [InlineData("{{.Id")]
    [InlineData("{{range .Id}}x{{end}}")]
    public void Execute_BadTemplate_Exit1NamingTheProblem(string template) =>
        Assert.Equal(1, Assert.Throws<CliException>(() => GoTemplate.Parse(template).Execute(Doc)).ExitCode);
}
