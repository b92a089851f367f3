using System.Text.Json;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Trust;

/// <summary>
/// Binds daemon.json's <c>"content-trust": {...}</c>. Unknown keys, wrong types, an empty pin, a wildcard in cert-ids, a key
/// id that is not 64 hex digits, a non-https trust server or an unreadable CA file are errors naming the key.
/// </summary>
public static class ContentTrustOptionsReader
{
    public static ContentTrustOptions Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw EngineException.Invalid("\"content-trust\" must be an object");
        }

        var o = new ContentTrustOptions();
        foreach (var prop in element.EnumerateObject())
        {
            o = prop.Name switch
            {
                "mode" => o with { Mode = Mode(prop.Value) },
                "trust-pinning" => o with { Pinning = Pinning(prop.Value) },
                "trust-servers" => o with { TrustServers = Servers(prop.Value) },
                "allow-expired-cached-trust-data" => o with { AllowExpiredCachedTrustData = Bool(prop.Value, "content-trust.allow-expired-cached-trust-data") },
                "policy" => o with { Policy = PolicyFile(prop.Value) },
                "registries-d" => o with { RegistriesDirectory = RegistriesD(prop.Value) },
                _ => throw EngineException.Invalid($"unknown content-trust key \"{prop.Name}\""),
            };
        }

        if (o.Mode != ContentTrustMode.Disabled && o.Pinning.IsEmpty && o.Policy is null)
        {
            throw EngineException.Invalid(
                "\"content-trust.trust-pinning\": trust pinning cannot be empty when mode is " + (o.Mode == ContentTrustMode.Enforced ? "enforced" : "permissive")
                + " (give root-keys or cert-ids, or a policy)");
        }

        return o;
    }

    private static ContentTrustMode Mode(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch
        {
            "disabled" => ContentTrustMode.Disabled,
            "permissive" => ContentTrustMode.Permissive,
            "enforced" => ContentTrustMode.Enforced,
            var other => throw EngineException.Invalid($"\"content-trust.mode\": unknown mode \"{other}\" (use disabled, permissive or enforced)"),
        }
        : throw EngineException.Invalid("\"content-trust.mode\" must be a string");

    private static bool Bool(JsonElement value, string key) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw EngineException.Invalid($"\"{key}\" must be true or false"),
    };

    private static TrustPinning Pinning(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw EngineException.Invalid("\"content-trust.trust-pinning\" must be an object");
        }

        var pinning = new TrustPinning();
        foreach (var prop in value.EnumerateObject())
        {
            pinning = prop.Name switch
            {
                "root-keys" => pinning with { RootKeys = Pins(prop.Value, "root-keys", wildcards: true) },
                "cert-ids" => pinning with { CertIds = Pins(prop.Value, "cert-ids", wildcards: false) },
                "official-library-images" => throw EngineException.Invalid(
                    "\"content-trust.trust-pinning.official-library-images\" is not supported: Bulwark does not pull from Docker Hub"),
                _ => throw EngineException.Invalid($"unknown content-trust.trust-pinning key \"{prop.Name}\""),
            };
        }

        return pinning;
    }

    private static Dictionary<string, IReadOnlySet<string>> Pins(JsonElement value, string kind, bool wildcards)
    {
        string key = "content-trust.trust-pinning." + kind;
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw EngineException.Invalid($"\"{key}\" must be an object of repository → [key ids]");
        }

        var pins = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var prop in value.EnumerateObject())
        {
            string entry = $"{key}[\"{prop.Name}\"]";
            if (prop.Name.Length == 0 || prop.Name.Contains(' ', StringComparison.Ordinal))
            {
                throw EngineException.Invalid($"\"{entry}\": invalid repository scope");
            }

            if (prop.Name.IndexOf('*', StringComparison.Ordinal) is int star and >= 0 && (!wildcards || star != prop.Name.Length - 1))
            {
                throw EngineException.Invalid(wildcards
                    ? $"\"{entry}\": a wildcard may only end the scope (\"registry/team/*\")"
                    : $"\"{entry}\": cert-ids take an exact repository, not a wildcard");
            }

            if (prop.Value.ValueKind != JsonValueKind.Array)
            {
                throw EngineException.Invalid($"\"{entry}\" must be an array of key ids");
            }

            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in prop.Value.EnumerateArray())
            {
                string? s = id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                if (s is null || !IsKeyId(s))
                {
                    throw EngineException.Invalid($"\"{entry}\": \"{id}\" is not a key id (64 lowercase hex digits)");
                }

                ids.Add(s);
            }

            if (ids.Count == 0)
            {
                throw EngineException.Invalid($"\"{entry}\": an empty pin is not allowed (it would trust nothing and hide the repository from wider rules)");
            }

            pins[prop.Name] = ids;
        }

        return pins;
    }

    private static Dictionary<string, TrustServer> Servers(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw EngineException.Invalid("\"content-trust.trust-servers\" must be an object of registry → {url, ca-file}");
        }

        var servers = new Dictionary<string, TrustServer>(StringComparer.Ordinal);
        foreach (var registry in value.EnumerateObject())
        {
            string entry = $"content-trust.trust-servers[\"{registry.Name}\"]";
            if (registry.Value.ValueKind != JsonValueKind.Object)
            {
                throw EngineException.Invalid($"\"{entry}\" must be an object with \"url\" and optionally \"ca-file\"");
            }

            Uri? url = null;
            string? ca = null;
            foreach (var prop in registry.Value.EnumerateObject())
            {
                switch (prop.Name)
                {
                    case "url":
                        if (prop.Value.ValueKind != JsonValueKind.String || !Uri.TryCreate(prop.Value.GetString(), UriKind.Absolute, out url)
                            || url.Scheme != Uri.UriSchemeHttps)
                        {
                            throw EngineException.Invalid($"\"{entry}.url\" must be an https URL");
                        }

                        break;
                    case "ca-file":
                        ca = prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString() : null;
                        if (ca is null || !Path.IsPathRooted(ca))
                        {
                            throw EngineException.Invalid($"\"{entry}.ca-file\" must be an absolute path");
                        }

                        if (!File.Exists(ca))
                        {
                            throw EngineException.Invalid($"\"{entry}.ca-file\": {ca} does not exist");
                        }

                        break;
                    default:
                        throw EngineException.Invalid($"unknown key \"{prop.Name}\" in \"{entry}\"");
                }
            }

            servers[registry.Name] = new TrustServer(url ?? throw EngineException.Invalid($"\"{entry}.url\" is missing"), ca);
        }

        return servers;
    }

    private static Policy.SignaturePolicy PolicyFile(JsonElement value)
    {
        string path = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw EngineException.Invalid("\"content-trust.policy\" must be a path");
        try
        {
            return Policy.SignaturePolicyReader.ReadFile(path);
        }
        catch (Policy.PolicyException ex)
        {
            throw EngineException.Invalid("\"content-trust.policy\": " + ex.Message);
        }
    }

    private static Policy.RegistriesDirectory RegistriesD(JsonElement value)
    {
        string path = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw EngineException.Invalid("\"content-trust.registries-d\" must be a path");
        try
        {
            return Policy.RegistriesDirectory.Load(path);
        }
        catch (Policy.PolicyException ex)
        {
            throw EngineException.Invalid("\"content-trust.registries-d\": " + ex.Message);
        }
    }

    private static bool IsKeyId(string s) => s.Length == 64 && s.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
