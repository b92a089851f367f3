using System.Globalization;
using Bulwark.Api.Models.Containers;

namespace Bulwark.Cli.Output;

/// <summary>The PORTS column as docker shows it: "127.0.0.1:49153->80/tcp, 9000/udp" (published first, sorted).</summary>
internal static class PortsText
{
    public static string Render(IReadOnlyList<PortDto> ports) =>
        string.Join(", ", ports
            .OrderBy(p => p.PublicPort == 0 ? 1 : 0)
            .ThenBy(p => p.PrivatePort)
            .ThenBy(p => p.Type, StringComparer.Ordinal)
            .Select(Format)
            .Distinct(StringComparer.Ordinal));

    private static string Format(PortDto p)
    {
        string inner = p.PrivatePort.ToString(CultureInfo.InvariantCulture) + "/" + p.Type;
        if (p.PublicPort == 0)
        {
            return inner;
        }
        string ip = p.IP is { Length: > 0 } a ? (a.Contains(':', StringComparison.Ordinal) ? $"[{a}]" : a) : "";
        return $"{ip}:{p.PublicPort.ToString(CultureInfo.InvariantCulture)}->{inner}";
    }
}
