using System.Text.Json;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Security.Policy;

/// <summary>Binds daemon.json's <c>"policy": {...}</c> object; unknown keys and wrong types are errors naming the key.</summary>
public static class DaemonPolicyReader
{
    public static DaemonPolicy Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw EngineException.Invalid("\"policy\" must be an object");
        }

        var p = new DaemonPolicy();
        foreach (var prop in element.EnumerateObject())
        {
            p = prop.Name switch
            {
                "allow-privileged" => p with { AllowPrivileged = Bool(prop) },
                "allow-host-namespaces" => p with { AllowHostNamespaces = Bool(prop) },
                "capabilities-allowed" => p with { CapabilitiesAllowed = Capabilities(prop) },
                "require-non-root-user" => p with { RequireNonRootUser = Bool(prop) },
                "require-read-only-rootfs" => p with { RequireReadOnlyRootfs = Bool(prop) },
                "require-memory-limit" => p with { RequireMemoryLimit = Bool(prop) },
                "seccomp-unconfined-allowed" => p with { SeccompUnconfinedAllowed = Bool(prop) },
                "forbidden-bind-sources" => p with { ForbiddenBindSources = AbsolutePaths(prop) },
                "allowed-devices" => p with { AllowedDevices = AbsolutePaths(prop) },
                "unmapped-binds" => p with { UnmappedBinds = Bool(prop) },
                "scan" => p with { Scan = ScanPolicyReader.Read(prop.Value) },
                "published-ports" => p with { PublishedPorts = Ports.PublishedPortsPolicyReader.Read(prop.Value) },
                _ => throw EngineException.Invalid($"unknown policy key \"{prop.Name}\""),
            };
        }

        return p;
    }

    private static bool Bool(JsonProperty prop) => prop.Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw EngineException.Invalid($"policy \"{prop.Name}\" must be true or false"),
    };

    private static List<string> Strings(JsonProperty prop)
    {
        if (prop.Value.ValueKind != JsonValueKind.Array)
        {
            throw EngineException.Invalid($"policy \"{prop.Name}\" must be an array of strings");
        }

        return prop.Value.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : throw EngineException.Invalid($"policy \"{prop.Name}\" must be an array of strings"))
            .ToList();
    }

    private static List<string> Capabilities(JsonProperty prop)
    {
        var result = new List<string>();
        foreach (var name in Strings(prop))
        {
            var normalized = CapabilityNames.Normalize(name);
            if (normalized == "ALL")
            {
                result.AddRange(CapabilityNames.All);
                continue;
            }

            if (CapabilityNames.BitOf(normalized) < 0)
            {
                throw EngineException.Invalid($"policy \"capabilities-allowed\": unknown capability \"{name}\"");
            }

            result.Add(normalized);
        }

        return result;
    }

    private static List<string> AbsolutePaths(JsonProperty prop)
    {
        var list = Strings(prop);
        foreach (var path in list)
        {
            if (!path.StartsWith('/'))
            {
                throw EngineException.Invalid($"policy \"{prop.Name}\": \"{path}\" is not an absolute path");
            }
        }

        return list;
    }
}
