using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Bulwark.Daemon.Api;

/// <summary>
/// The request-body policy for JSON <c>null</c>: Go clients send <c>null</c> for any field they leave unset, and Docker
/// treats it as absent. Every member of a JSON object bound to a model type whose value is <c>null</c> is dropped before
/// binding, so a non-nullable field keeps its default instead of failing the request. The model's metadata guides the
/// walk: dictionary values and array items are data, not fields, and are left as they are.
/// </summary>
internal static class NullMembers
{
    private const int MaxDepth = 64;

    /// <summary>Deserializes <paramref name="utf8Json"/> into <typeparamref name="T"/> with null members treated as absent.</summary>
    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> typeInfo)
    {
        JsonNode? node = JsonNode.Parse(utf8Json, documentOptions: new JsonDocumentOptions
        {
            AllowTrailingCommas = typeInfo.Options.AllowTrailingCommas,
            CommentHandling = typeInfo.Options.ReadCommentHandling,
            MaxDepth = MaxDepth,
        });
        if (node is null)
        {
            return default;
        }
        Drop(node, typeInfo, 0);
        return node.Deserialize(typeInfo);
    }

    private static void Drop(JsonNode node, JsonTypeInfo typeInfo, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }
        switch (typeInfo.Kind)
        {
            case JsonTypeInfoKind.Object when node is JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null)
                    {
                        obj.Remove(name);
                    }
                    else if (Property(typeInfo, name) is { } property)
                    {
                        Drop(value, typeInfo.Options.GetTypeInfo(property.PropertyType), depth + 1);
                    }
                }
                break;
            case JsonTypeInfoKind.Enumerable when node is JsonArray array && typeInfo.ElementType is { } element:
                var elementInfo = typeInfo.Options.GetTypeInfo(element);
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Drop(item, elementInfo, depth + 1);
                    }
                }
                break;
            case JsonTypeInfoKind.Dictionary when node is JsonObject map && typeInfo.ElementType is { } valueType:
                var valueInfo = typeInfo.Options.GetTypeInfo(valueType);
                foreach (var (_, value) in map)
                {
                    if (value is not null)
                    {
                        Drop(value, valueInfo, depth + 1);
                    }
                }
                break;
        }
    }

    private static JsonPropertyInfo? Property(JsonTypeInfo typeInfo, string name)
    {
        var comparison = typeInfo.Options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var p in typeInfo.Properties)
        {
            if (string.Equals(p.Name, name, comparison))
            {
                return p;
            }
        }
        return null;
    }
}
