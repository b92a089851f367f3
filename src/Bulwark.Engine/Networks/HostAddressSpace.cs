using System.Globalization;

namespace Bulwark.Engine.Networks;

/// <summary>The IPv4 prefixes the host already uses: routes of the main table and the addresses of every interface.</summary>
internal static class HostAddressSpace
{
    /// <summary>Every prefix in use on the host, except default routes and those on <paramref name="ignoreDevices"/>.</summary>
    public static async Task<List<(Ipv4Subnet Subnet, string Device)>> ReadAsync(IReadOnlySet<string> ignoreDevices, CancellationToken ct)
    {
        var result = new List<(Ipv4Subnet, string)>();
        if (File.Exists("/proc/net/route"))
        {
            result.AddRange(ParseProcRoute(await File.ReadAllTextAsync("/proc/net/route", ct).ConfigureAwait(false)));
        }
        string addrs = await HostCommand.RunAsync("ip", ["-4", "-o", "addr", "show"], null, ct).ConfigureAwait(false);
        result.AddRange(ParseIpAddr(addrs));
        return [.. result.Where(r => r.Item1.PrefixLength > 0 && !ignoreDevices.Contains(r.Item2))];
    }

    /// <summary>/proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask …", addresses in little-endian hex.</summary>
    public static IEnumerable<(Ipv4Subnet, string)> ParseProcRoute(string text)
    {
        foreach (string line in text.Split('\n').Skip(1))
        {
            string[] f = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8
                || !uint.TryParse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint dest)
                || !uint.TryParse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint mask))
            {
                continue;
            }
            uint m = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(mask);
            int prefix = System.Numerics.BitOperations.PopCount(m);
            yield return (new Ipv4Subnet(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(dest), prefix), f[0]);
        }
    }

    /// <summary>`ip -4 -o addr show`: "2: eth0    inet 192.0.2.2/24 brd … scope global eth0".</summary>
    public static IEnumerable<(Ipv4Subnet, string)> ParseIpAddr(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            int inet = Array.IndexOf(f, "inet");
            if (inet < 2 || inet + 1 >= f.Length)
            {
                continue;
            }
            Ipv4Subnet subnet;
            try
            {
                subnet = Ipv4Subnet.Parse(f[inet + 1], "address");
            }
            catch (Errors.EngineException)
            {
                continue;
            }
            yield return (subnet, f[1].Split('@')[0]);
        }
    }
}
