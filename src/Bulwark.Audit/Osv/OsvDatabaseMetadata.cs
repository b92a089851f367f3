using System.Text.Json.Serialization;

namespace Bulwark.Audit.Osv;

/// <summary>metadata.json at the database root: what was imported and when.</summary>
public sealed class OsvDatabaseMetadata
{
    [JsonPropertyName("schema")]
    public int Schema { get; set; } = 1;

    [JsonPropertyName("updated")]
    public DateTimeOffset Updated { get; set; }

    [JsonPropertyName("records")]
    public int Records { get; set; }

    [JsonPropertyName("ecosystems")]
    public SortedDictionary<string, int> Ecosystems { get; set; } = new(StringComparer.Ordinal);
}
