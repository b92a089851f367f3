using Bulwark.Client.Ssh;

namespace Bulwark.Client;

/// <summary>Where the daemon's API is reached: a local unix socket, or <c>bulwark system dial-stdio</c> over ssh.</summary>
public abstract record DaemonAddress
{
    /// <summary>How the address reads in messages (<c>unix:///run/bulwark/bulwark.sock</c>, <c>ssh://alice@host</c>).</summary>
    public abstract string Display { get; }
}

/// <summary>The daemon's unix socket on this machine.</summary>
public sealed record UnixSocketAddress(string Path) : DaemonAddress
{
    public override string Display => "unix://" + Path;
}

/// <summary>A daemon on another machine, reached by running <c>bulwark system dial-stdio</c> there with ssh.</summary>
public sealed record SshAddress(SshTarget Target, IReadOnlyList<string> ExtraOptions) : DaemonAddress
{
    public override string Display => Target.ToString();
}
