using System.Globalization;
using System.Net;
using System.Text.Json;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Ports;

/// <summary>Binds <c>"published-ports": {"allowed-host-ips": [...], "allowed-ranges": ["8000-8999"], "allow-privileged-ports": false}</c>.</summary>
public static class PublishedPortsPolicyReader
{
    public static PublishedPortsPolicy Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw EngineException.Invalid("policy \"published-ports\" must be an object");
        }
        var p = new PublishedPortsPolicy();
        foreach (var prop in element.EnumerateObject())
        {
            p = prop.Name switch
            {
                "allowed-host-ips" => p with { AllowedHostIps = [.. Strings(prop).Select(Network)] },
                "allowed-ranges" => p with { AllowedRanges = [.. Strings(prop).Select(Range)] },
                "allow-privileged-ports" => p with
                {
                    AllowPrivilegedPorts = prop.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw EngineException.Invalid("policy \"published-ports.allow-privileged-ports\" must be true or false"),
                    },
                },
                _ => throw EngineException.Invalid($"unknown policy key \"published-ports.{prop.Name}\""),
            };
        }
        return p;
    }

    private static List<string> Strings(JsonProperty prop)
    {
        if (prop.Value.ValueKind != JsonValueKind.Array || prop.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw EngineException.Invalid($"policy \"published-ports.{prop.Name}\" must be an array of strings");
        }
        return [.. prop.Value.EnumerateArray().Select(e => e.GetString()!)];
    }

    private static IPNetwork Network(string text)
    {
        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }
        if (IPAddress.TryParse(text, out var ip))
        {
            return new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        throw EngineException.Invalid($"policy \"published-ports.allowed-host-ips\": \"{text}\" is not an address or CIDR");
    }

    private static (int, int) Range(string text)
    {
        string[] parts = text.Split('-');
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
            && first >= 1 && last <= 65535 && first <= last)
        {
            return (first, last);
        }
        throw EngineException.Invalid($"policy \"published-ports.allowed-ranges\": \"{text}\" is not a port range (\"8000-8999\" or \"8080\")");
    }
}
