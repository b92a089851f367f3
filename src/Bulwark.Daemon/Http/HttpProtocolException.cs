namespace Bulwark.Daemon.Http;

/// <summary>The client broke HTTP/1.1 framing or a limit; the connection is answered <see cref="Status"/> (400 unless said) and closed.</summary>
internal sealed class HttpProtocolException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
