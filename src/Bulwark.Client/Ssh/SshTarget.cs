using System.Globalization;

namespace Bulwark.Client.Ssh;

/// <summary><c>ssh://[user@]host[:port]</c>: the parts of an ssh host URL (no password, path, query or fragment).</summary>
public sealed record SshTarget(string? User, string Host, int? Port)
{
    public const string Scheme = "ssh://";

    /// <summary>Parses <c>ssh://[user@]host[:port]</c>; anything else is an <see cref="ArgumentException"/> naming the cause.</summary>
    public static SshTarget Parse(string url)
    {
        if (!url.StartsWith(Scheme, StringComparison.Ordinal)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new ArgumentException($"invalid ssh host '{url}': expected ssh://[user@]host[:port]");
        }

        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid ssh host '{url}': a password in the URL is not supported (use an ssh key or agent)");
        }

        if (uri.AbsolutePath is not ("/" or "") || url.EndsWith('/') || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new ArgumentException($"invalid ssh host '{url}': a path, query or fragment is not allowed after the host");
        }

        string? user = uri.UserInfo.Length > 0 ? Uri.UnescapeDataString(uri.UserInfo) : null;
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        if (user is not null && user.StartsWith('-') || host.StartsWith('-'))
        {
            throw new ArgumentException($"invalid ssh host '{url}': a user or host may not start with '-'");
        }

        return new SshTarget(user, host, uri.IsDefaultPort || uri.Port < 0 ? null : uri.Port);
    }

    /// <summary>
    /// The ssh client's arguments: no pseudo-terminal, a connect timeout, the caller's extra options, then user, port,
    /// <c>--</c> and the host, and the remote command.
    /// </summary>
    public IReadOnlyList<string> SshArguments(IReadOnlyList<string> extraOptions, IReadOnlyList<string> remoteCommand)
    {
        var args = new List<string> { "-T", "-o", "ConnectTimeout=30" };
        args.AddRange(extraOptions);
        if (User is not null)
        {
            args.AddRange(["-l", User]);
        }

        if (Port is { } port)
        {
            args.AddRange(["-p", port.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["--", Host]);
        args.AddRange(remoteCommand);
        return args;
    }

    public override string ToString()
    {
        string host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        string user = User is null ? "" : User + "@";
        string port = Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "";
        return Scheme + user + host + port;
    }
}
