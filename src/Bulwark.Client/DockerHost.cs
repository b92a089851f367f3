namespace Bulwark.Client;

/// <summary>Where the daemon listens: <c>--host</c>, else <c>BULWARK_HOST</c>, else the default socket.</summary>
public static class DockerHost
{
    public const string DefaultSocketPath = "/run/bulwark/bulwark.sock";
    public const string EnvironmentVariable = "BULWARK_HOST";

    /// <summary>Resolves a socket path from a flag value and the environment value (either may be null/empty).</summary>
    public static string ResolveSocketPath(string? flag, string? environment)
    {
        var value = !string.IsNullOrWhiteSpace(flag) ? flag : environment;
        return string.IsNullOrWhiteSpace(value) ? DefaultSocketPath : ParseSocketPath(value.Trim());
    }

    /// <summary>Accepts <c>unix:///path</c>, <c>unix:/path</c> and bare paths.</summary>
    public static string ParseSocketPath(string host)
    {
        if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = host["unix://".Length..];
            return path.Length > 0 ? path : throw new ArgumentException($"invalid host '{host}': empty socket path");
        }

        if (host.StartsWith("unix:", StringComparison.Ordinal))
        {
            return host["unix:".Length..];
        }

        if (host.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid host '{host}': only unix sockets are supported");
        }

        return host;
    }
}
