using Bulwark.Client.Ssh;

namespace Bulwark.Client;

/// <summary>Where the daemon listens: <c>--host</c>, else <c>BULWARK_HOST</c>, else the default socket.</summary>
public static class DockerHost
{
    public const string DefaultSocketPath = "/run/bulwark/bulwark.sock";
    public const string EnvironmentVariable = "BULWARK_HOST";

    /// <summary>Extra ssh client options for <c>ssh://</c> hosts, split on whitespace (e.g. <c>-F ~/.ssh/bulwark_config</c>).</summary>
    public const string SshOptionsVariable = "BULWARK_SSH_OPTS";

    /// <summary>
    /// Resolves the daemon's address from a flag value and the environment value (either may be null/empty):
    /// <c>unix:///path</c>, a bare path, or <c>ssh://[user@]host[:port]</c>.
    /// </summary>
    public static DaemonAddress Resolve(string? flag, string? environment, string? sshOptions = null)
    {
        var value = (!string.IsNullOrWhiteSpace(flag) ? flag : environment)?.Trim();
        if (value is not null && value.StartsWith(SshTarget.Scheme, StringComparison.Ordinal))
        {
            string[] options = string.IsNullOrWhiteSpace(sshOptions)
                ? []
                : sshOptions.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return new SshAddress(SshTarget.Parse(value), options);
        }

        return new UnixSocketAddress(string.IsNullOrEmpty(value) ? DefaultSocketPath : ParseSocketPath(value));
    }

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
            throw new ArgumentException($"invalid host '{host}': only unix:// and ssh:// hosts are supported");
        }

        return host;
    }
}
