namespace Bulwark.Daemon.Hosting;

/// <summary>An address bulwarkd listens on: <c>unix:///path</c> or <c>tcp://host:port</c> (TCP only with mutual TLS).</summary>
internal sealed record ApiHost(string Scheme, string Address, int Port = 0)
{
    public const string Unix = "unix";
    public const string Tcp = "tcp";

    public bool IsUnix => Scheme == Unix;

    public override string ToString() => IsUnix ? "unix://" + Address : $"tcp://{Address}:{Port}";

    /// <summary>Parses Docker's -H forms: <c>unix:///path</c>, a bare absolute path, <c>tcp://host:port</c> (port 2376 if omitted).</summary>
    public static ApiHost Parse(string host)
    {
        if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            string path = host["unix://".Length..];
            return Path.IsPathRooted(path) ? new ApiHost(Unix, path) : throw new ArgumentException($"invalid host \"{host}\": the socket path must be absolute");
        }
        if (host.StartsWith('/'))
        {
            return new ApiHost(Unix, host);
        }
        if (host.StartsWith("tcp://", StringComparison.Ordinal))
        {
            string rest = host["tcp://".Length..].TrimEnd('/');
            int colon = rest.LastIndexOf(':');
            if (rest.StartsWith('[') && rest.LastIndexOf(']') > colon)
            {
                colon = -1; // [v6-address] without a port
            }
            string address = colon >= 0 ? rest[..colon] : rest;
            int port = 2376;
            if (colon >= 0 && (!int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
                || port is < 1 or > 65535))
            {
                throw new ArgumentException($"invalid host \"{host}\": the port must be a number from 1 to 65535");
            }
            address = address.Trim('[', ']');
            if (address.Length == 0)
            {
                address = "0.0.0.0";
            }
            return new ApiHost(Tcp, address, port);
        }
        throw new ArgumentException($"unsupported host \"{host}\": use unix:///path or tcp://host:port (with --tlsverify)");
    }
}
