namespace Bulwark.Daemon.Http;

/// <summary>
/// What one client may hold: the time to send a request head (the TLS handshake included), the idle time between
/// keep-alive requests, the size of a head, and how many connections may be open at once.
/// </summary>
internal sealed record ConnectionLimits
{
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);
    public int MaxHeadBytes { get; init; } = 1024 * 1024;
    public int MaxConnections { get; init; } = 1000;
}
