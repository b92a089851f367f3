using System.Text;
using System.Text.Json;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// The "simple signing" JSON both formats sign (containers-signature(5), cosign SIGNATURE_SPEC): <c>critical.identity.docker-reference</c>,
/// <c>critical.image.docker-manifest-digest</c> and <c>critical.type</c> ("atomic container signature" for OpenPGP,
/// "cosign container image signature" for cosign). Parsed strictly: an unknown field in <c>critical</c> rejects it.
/// </summary>
public sealed record SigningPayload(string DockerReference, string ManifestDigest, string Type)
{
    public const string AtomicType = "atomic container signature";
    public const string CosignType = "cosign container image signature";

    /// <summary>The payload for <paramref name="reference"/> at <paramref name="digest"/>, with compact JSON in a fixed key order.</summary>
    public static byte[] Create(string reference, string digest, string type, string creator)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteStartObject("critical");
            w.WriteStartObject("identity");
            w.WriteString("docker-reference", reference);
            w.WriteEndObject();
            w.WriteStartObject("image");
            w.WriteString("docker-manifest-digest", digest);
            w.WriteEndObject();
            w.WriteString("type", type);
            w.WriteEndObject();
            w.WriteStartObject("optional");
            w.WriteString("creator", creator);
            w.WriteNumber("timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    /// <summary>Parses a verified payload, or returns null with the reason it is malformed.</summary>
    public static SigningPayload? Parse(byte[] bytes, string expectedType, out string reason)
    {
        reason = "";
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("critical", out var critical) || critical.ValueKind != JsonValueKind.Object)
            {
                reason = "signature payload has no \"critical\" object";
                return null;
            }

            foreach (var p in root.EnumerateObject())
            {
                if (p.Name is not ("critical" or "optional"))
                {
                    reason = $"signature payload has unknown field \"{p.Name}\"";
                    return null;
                }
            }

            string? reference = null, digest = null, type = null;
            foreach (var p in critical.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "identity" when p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("docker-reference", out var r)
                                         && r.ValueKind == JsonValueKind.String && p.Value.EnumerateObject().Count() == 1:
                        reference = r.GetString();
                        break;
                    case "image" when p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("docker-manifest-digest", out var d)
                                      && d.ValueKind == JsonValueKind.String && p.Value.EnumerateObject().Count() == 1:
                        digest = d.GetString();
                        break;
                    case "type" when p.Value.ValueKind == JsonValueKind.String:
                        type = p.Value.GetString();
                        break;
                    default:
                        reason = $"signature payload has an unknown or malformed field critical.{p.Name}";
                        return null;
                }
            }

            if (reference is null || digest is null || type is null)
            {
                reason = "signature payload lacks critical.identity, critical.image or critical.type";
                return null;
            }

            if (type != expectedType)
            {
                reason = $"signature payload type is \"{type}\", not \"{expectedType}\"";
                return null;
            }

            return new SigningPayload(reference, digest, type);
        }
        catch (JsonException ex)
        {
            reason = "signature payload is not JSON (" + ex.Message + ")";
            return null;
        }
        catch (DecoderFallbackException)
        {
            reason = "signature payload is not UTF-8";
            return null;
        }
    }
}
