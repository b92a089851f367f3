using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Api.Models.Audit;

namespace Bulwark.Daemon.Access.Audit;

/// <summary>
/// The log's line format. A line is the entry's JSON with <c>"hash"</c> last; the hash is SHA-256 over the line's bytes
/// before that field (closed with <c>}</c>), so any change to a line shows. A seal's MAC is HMAC-SHA256 over
/// "<c>prev|seq</c>" with the seal key.
/// </summary>
internal static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private static readonly byte[] HashMarker = Encoding.ASCII.GetBytes(",\"hash\":\"");

    /// <summary>Serializes <paramref name="entry"/> (without a hash) and returns its line (newline included) and hash.</summary>
    public static (byte[] Line, string Hash) Encode(AuditEntry entry)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(entry with { Hash = null }, AuditJsonContext.Default.AuditEntry);
        string hash = Convert.ToHexStringLower(SHA256.HashData(body));
        byte[] tail = Encoding.ASCII.GetBytes(hash + "\"}\n");
        byte[] line = new byte[body.Length - 1 + HashMarker.Length + tail.Length];
        body.AsSpan(0, body.Length - 1).CopyTo(line);
        HashMarker.CopyTo(line, body.Length - 1);
        tail.CopyTo(line, body.Length - 1 + HashMarker.Length);
        return (line, hash);
    }

    /// <summary>Parses one line (without its newline); null with a reason when it is not an intact entry.</summary>
    public static AuditEntry? Decode(ReadOnlySpan<byte> line, out string? problem)
    {
        int marker = line.LastIndexOf(HashMarker);
        if (marker < 0 || line.Length < marker + HashMarker.Length + 64 + 2 || !line.EndsWith("\"}"u8))
        {
            problem = "not an audit entry (no hash)";
            return null;
        }
        byte[] body = new byte[marker + 1];
        line[..marker].CopyTo(body);
        body[marker] = (byte)'}';
        string claimed = Encoding.ASCII.GetString(line.Slice(marker + HashMarker.Length, line.Length - marker - HashMarker.Length - 2));
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(body)), claimed, StringComparison.Ordinal))
        {
            problem = "entry was altered: its hash does not match its content";
            return null;
        }
        try
        {
            var entry = JsonSerializer.Deserialize(line, AuditJsonContext.Default.AuditEntry);
            problem = entry is null ? "not an audit entry" : null;
            return entry;
        }
        catch (JsonException ex)
        {
            problem = "not valid JSON: " + ex.Message;
            return null;
        }
    }

    public static string Mac(byte[] key, string prev, long seq) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(prev + "|" + seq.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
