using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bulwark.Cli.Output;

/// <summary>Re-indents raw daemon JSON the way docker inspect prints it (4 spaces, no HTML escaping).</summary>
internal static class JsonOutput
{
    public static string Indented(IEnumerable<JsonElement> items)
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms, new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 4,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                item.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static string Compact(JsonElement element)
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
