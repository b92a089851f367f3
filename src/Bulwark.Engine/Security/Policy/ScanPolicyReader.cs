using System.Text.Json;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Security.Policy;

/// <summary>Binds <c>"policy": {"scan": {...}}</c>; both keys are required and every error names the key.</summary>
public static class ScanPolicyReader
{
    public static ScanPolicy Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw EngineException.Invalid("policy \"scan\" must be an object with \"max-severity\" and \"db\"");
        }

        string? maxSeverity = null;
        string? db = null;
        foreach (var prop in element.EnumerateObject())
        {
            switch (prop.Name)
            {
                case "max-severity":
                    maxSeverity = String(prop).ToLowerInvariant();
                    if (!ScanPolicy.Severities.Contains(maxSeverity))
                    {
                        throw EngineException.Invalid(
                            $"policy \"scan.max-severity\": \"{prop.Value.GetString()}\" is not one of {string.Join(", ", ScanPolicy.Severities)}");
                    }

                    break;
                case "db":
                    db = String(prop);
                    if (!db.StartsWith('/'))
                    {
                        throw EngineException.Invalid($"policy \"scan.db\": \"{db}\" is not an absolute path");
                    }

                    break;
                default:
                    throw EngineException.Invalid($"unknown policy key \"scan.{prop.Name}\"");
            }
        }

        return new ScanPolicy(
            maxSeverity ?? throw EngineException.Invalid("policy \"scan.max-severity\" is required"),
            db ?? throw EngineException.Invalid("policy \"scan.db\" is required (an OSV database imported with `bulwark scan db import`)"));
    }

    private static string String(JsonProperty prop) => prop.Value.ValueKind == JsonValueKind.String && prop.Value.GetString() is { Length: > 0 } s
        ? s
        : throw EngineException.Invalid($"policy \"scan.{prop.Name}\" must be a non-empty string");
}
