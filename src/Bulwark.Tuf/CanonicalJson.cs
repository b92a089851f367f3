using System.Text;
using System.Text.Json;

namespace Bulwark.Tuf;

/// <summary>
/// The canonical JSON Notary signs (OLPC dialect, as docker/go's canonical encoder writes it): object keys sorted by
/// byte value, no whitespace, only <c>"</c> and <c>\</c> escaped inside strings, integers only.
/// </summary>
public static class CanonicalJson
{
    public static byte[] Encode(JsonElement element)
    {
        using var buffer = new MemoryStream();
        Write(buffer, element);
        return buffer.ToArray();
    }

    private static void Write(MemoryStream o, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                o.WriteByte((byte)'{');
                var props = e.EnumerateObject()
                    .Select(p => (Key: Encoding.UTF8.GetBytes(p.Name), p.Value))
                    .OrderBy(p => p.Key, ByteOrder.Instance)
                    .ToList();
                for (int i = 0; i < props.Count; i++)
                {
                    if (i > 0)
                    {
                        o.WriteByte((byte)',');
                    }

                    WriteString(o, props[i].Key);
                    o.WriteByte((byte)':');
                    Write(o, props[i].Value);
                }

                o.WriteByte((byte)'}');
                break;
            case JsonValueKind.Array:
                o.WriteByte((byte)'[');
                bool first = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!first)
                    {
                        o.WriteByte((byte)',');
                    }

                    first = false;
                    Write(o, item);
                }

                o.WriteByte((byte)']');
                break;
            case JsonValueKind.String:
                WriteString(o, Encoding.UTF8.GetBytes(e.GetString()!));
                break;
            case JsonValueKind.Number:
                if (!e.TryGetInt64(out long n))
                {
                    throw new TufException($"canonical JSON: {e.GetRawText()} is not an integer");
                }

                o.Write(Encoding.ASCII.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                break;
            case JsonValueKind.True:
                o.Write("true"u8);
                break;
            case JsonValueKind.False:
                o.Write("false"u8);
                break;
            case JsonValueKind.Null:
                o.Write("null"u8);
                break;
            default:
                throw new TufException("canonical JSON: unexpected " + e.ValueKind);
        }
    }

    private static void WriteString(MemoryStream o, byte[] utf8)
    {
        o.WriteByte((byte)'"');
        foreach (byte b in utf8)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                o.WriteByte((byte)'\\');
            }

            o.WriteByte(b);
        }

        o.WriteByte((byte)'"');
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
