using System.Net.Sockets;

namespace Bulwark.Client;

/// <summary>The daemon's socket could not be reached.</summary>
public sealed class DockerConnectionException(string socketPath, SocketException inner)
    : IOException($"Cannot connect to the Bulwark daemon at unix://{socketPath} ({inner.Message}). Is bulwarkd running?", inner)
{
    public string SocketPath { get; } = socketPath;
}
