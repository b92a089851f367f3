using System.Text;

namespace Bulwark.Client;

/// <summary>Builds a URL query string with RFC 3986 escaping.</summary>
internal sealed class QueryBuilder
{
    private readonly StringBuilder _sb = new();

    public QueryBuilder Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _sb.Append(_sb.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public QueryBuilder AddFlag(string name, bool value) => value ? Add(name, "1") : this;

    public override string ToString() => _sb.ToString();
}
