namespace Bulwark.Cli.Output;

/// <summary>The parsed form of a Go template: text, actions and the control structures.</summary>
internal abstract record TemplateNode;

internal sealed record TextNode(string Text) : TemplateNode;

internal sealed record ActionNode(Pipeline Pipeline) : TemplateNode;

internal sealed record IfNode(Pipeline Condition, List<TemplateNode> Then, List<TemplateNode> Else) : TemplateNode;

internal sealed record WithNode(Pipeline Value, List<TemplateNode> Then, List<TemplateNode> Else) : TemplateNode;

internal sealed record RangeNode(Pipeline Over, List<TemplateNode> Body, List<TemplateNode> Else) : TemplateNode;

/// <summary>Commands joined by <c>|</c>, optionally assigned to variables (<c>$v :=</c>, <c>$k, $v :=</c>).</summary>
internal sealed record Pipeline(List<List<Operand>> Commands, List<string> Declare);

internal enum OperandKind
{
    Field,
    Variable,
    Identifier,
    String,
    Number,
    Bool,
    Nil,
    Group,
}

internal sealed record Operand(OperandKind Kind, string Text, Pipeline? Group = null);
