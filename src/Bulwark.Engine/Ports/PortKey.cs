using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Ports;

/// <summary>Docker's "80/tcp" port keys: a port 1-65535 and "tcp" or "udp" (tcp when omitted).</summary>
public static class PortKey
{
    public static (int Port, string Protocol) Parse(string key)
    {
        string port = key;
        string protocol = "tcp";
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            port = key[..slash];
            protocol = key[(slash + 1)..].ToLowerInvariant();
        }
        if (protocol is not ("tcp" or "udp"))
        {
            throw EngineException.Invalid($"invalid port \"{key}\": protocol \"{protocol}\" is not supported (tcp or udp)");
        }
        return (ParsePort(port, key, allowZero: false), protocol);
    }

    /// <summary>A port number; "" is 0 when <paramref name="allowZero"/> (a host port the kernel chooses).</summary>
    public static int ParsePort(string text, string context, bool allowZero)
    {
        if (allowZero && text.Length == 0)
        {
            return 0;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535 || (port == 0 && !allowZero))
        {
            throw EngineException.Invalid($"invalid port \"{context}\": \"{text}\" is not a port number (1-65535)");
        }
        return port;
    }

    public static string Format(int port, string protocol) => port.ToString(CultureInfo.InvariantCulture) + "/" + protocol;
}
