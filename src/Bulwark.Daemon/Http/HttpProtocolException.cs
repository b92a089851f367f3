namespace Bulwark.Daemon.Http;

/// <summary>The client broke HTTP/1.1 framing; the connection is answered 400 and closed.</summary>
internal sealed class HttpProtocolException(string message) : Exception(message);
