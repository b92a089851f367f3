namespace Bulwark.Daemon.Http;

/// <summary>Query parameters; repeated keys keep every value (e.g. <c>names=a&amp;names=b</c>).</summary>
internal sealed class QueryString
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public static QueryString Parse(string query)
    {
        var q = new QueryString();
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            string value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (!q._values.TryGetValue(key, out List<string>? list))
            {
                q._values[key] = list = [];
            }
            list.Add(value);
        }
        return q;
    }

    public string? Get(string key) => _values.TryGetValue(key, out List<string>? v) ? v[^1] : null;

    public IReadOnlyList<string> GetAll(string key) => _values.TryGetValue(key, out List<string>? v) ? v : [];

    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>Docker's boolean rule: absent, "", 0, no, false, none are false; anything else is true.</summary>
    public bool Bool(string key, bool defaultValue = false)
    {
        string? v = Get(key);
        if (v is null)
        {
            return defaultValue;
        }
        return !(v.Length == 0 || v == "0" || v.Equals("no", StringComparison.OrdinalIgnoreCase)
            || v.Equals("false", StringComparison.OrdinalIgnoreCase) || v.Equals("none", StringComparison.OrdinalIgnoreCase));
    }

    public int? Int(string key) => Get(key) is { Length: > 0 } s && int.TryParse(s, out int i) ? i : null;
}
