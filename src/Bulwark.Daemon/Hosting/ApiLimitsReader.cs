using System.Globalization;
using System.Text.Json;
using Bulwark.Daemon.Http;

namespace Bulwark.Daemon.Hosting;

/// <summary>
/// daemon.json's <c>api-limits</c>: <c>head-timeout</c> and <c>idle-timeout</c> (durations such as "30s", "500ms", "2m"),
/// <c>max-head-bytes</c> and <c>max-connections</c> (positive integers).
/// </summary>
internal static class ApiLimitsReader
{
    public static ConnectionLimits Read(JsonElement section)
    {
        if (section.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("\"api-limits\" must be an object");
        }
        var limits = new ConnectionLimits();
        foreach (var p in section.EnumerateObject())
        {
            limits = p.Name switch
            {
                "head-timeout" => limits with { HeadTimeout = Duration(p) },
                "idle-timeout" => limits with { IdleTimeout = Duration(p) },
                "max-head-bytes" => limits with { MaxHeadBytes = Positive(p) },
                "max-connections" => limits with { MaxConnections = Positive(p) },
                _ => throw new ArgumentException(
                    $"\"api-limits\": unknown key \"{p.Name}\" (use head-timeout, idle-timeout, max-head-bytes, max-connections)"),
            };
        }
        return limits;
    }

    private static int Positive(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int n) && n > 0
            ? n
            : throw new ArgumentException($"\"api-limits\": \"{p.Name}\" must be a positive integer");

    private static TimeSpan Duration(JsonProperty p)
    {
        string text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
        (string number, double scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : ("", 0);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v) && v > 0
            ? TimeSpan.FromMilliseconds(v * scale)
            : throw new ArgumentException($"\"api-limits\": \"{p.Name}\" must be a duration such as \"30s\", \"500ms\" or \"2m\", not {p.Value.GetRawText()}");
    }
}
