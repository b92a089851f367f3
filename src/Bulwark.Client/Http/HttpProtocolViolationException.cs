namespace Bulwark.Client.Http;

/// <summary>The daemon's bytes are not a valid HTTP/1.1 response.</summary>
public sealed class HttpProtocolViolationException(string message) : IOException(message);
