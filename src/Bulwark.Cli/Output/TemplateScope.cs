namespace Bulwark.Cli.Output;

/// <summary>Template variables: <c>$</c> is the root document; each block opens a scope.</summary>
internal sealed class TemplateScope
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);
    private readonly TemplateScope? _parent;

    public TemplateScope(object? root) => _variables["$"] = root;

    private TemplateScope(TemplateScope parent) => _parent = parent;

    public TemplateScope Push() => new(this);

    public void Set(string name, object? value) => _variables[name] = value;

    public object? Get(string name)
    {
        for (var scope = this; scope is not null; scope = scope._parent)
        {
            if (scope._variables.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        throw new CliException(1, $"template: undefined variable \"{name}\"");
    }
}
