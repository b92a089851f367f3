namespace Bulwark.Cli.Output;

/// <summary>The <c>--format</c> help texts, shared by every command that takes one.</summary>
internal static class FormatHelp
{
    public const string List =
        "Format output: 'table' (default), 'json', 'table TEMPLATE' (with a header), or a Go template, e.g. '{{.ID}}\\t{{.Names}}' " +
        "(range, if, with, json, join, index, upper, lower, len, printf…)";

    public const string Inspect =
        "Format output using a Go template, e.g. '{{.State.Status}}', '{{json .Config}}', '{{range .Mounts}}{{.Source}} {{end}}', " +
        "'{{if .State.Running}}up{{else}}down{{end}}'";
}
