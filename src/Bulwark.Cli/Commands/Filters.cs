namespace Bulwark.Cli.Commands;

/// <summary><c>--filter key=value</c> flags grouped by key.</summary>
internal static class Filters
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Parse(IEnumerable<string> entries)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException(125, $"invalid argument \"{entry}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)");
            }

            var key = entry[..eq].Trim().ToLowerInvariant();
            if (!map.TryGetValue(key, out var values))
            {
                map[key] = values = [];
            }

            values.Add(entry[(eq + 1)..]);
        }

        return map.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.Ordinal);
    }
}
