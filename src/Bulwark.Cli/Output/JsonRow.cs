using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bulwark.Cli.Output;

/// <summary>Builds the flat JSON object a list row is rendered from (<c>--format</c> sees its fields).</summary>
internal sealed class JsonRow
{
    private readonly List<(string Name, object? Value)> _fields = [];

    public JsonRow Add(string name, string value)
    {
        _fields.Add((name, value));
        return this;
    }

    public JsonRow Add(string name, JsonElement value)
    {
        _fields.Add((name, value));
        return this;
    }

    public JsonElement Build()
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _fields)
            {
                writer.WritePropertyName(name);
                if (value is JsonElement element)
                {
                    element.WriteTo(writer);
                }
                else
                {
                    writer.WriteStringValue((string?)value);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(ms.ToArray());
        return document.RootElement.Clone();
    }
}
