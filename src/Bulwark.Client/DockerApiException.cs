namespace Bulwark.Client;

/// <summary>A non-2xx answer of the daemon; <see cref="Exception.Message"/> is the daemon's <c>message</c>.</summary>
public sealed class DockerApiException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public bool IsNotFound => StatusCode == 404;
}
