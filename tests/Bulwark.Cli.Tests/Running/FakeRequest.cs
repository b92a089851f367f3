using System.Net.Sockets;
using System.Text;

namespace Bulwark.Cli.Tests.Running;

/// <summary>One request seen by <see cref="FakeDaemon"/>.</summary>
internal sealed class FakeRequest(string requestLine, IReadOnlyList<string> headers, Socket socket, Stream stream)
{
    public string Method => requestLine.Split(' ')[0];

    public string Target => requestLine.Split(' ')[1];

    /// <summary>Path and query without the <c>/v1.xx</c> prefix.</summary>
    public string PathWithoutVersion => Target.StartsWith("/v1.", StringComparison.Ordinal) ? Target[Target.IndexOf('/', 1)..] : Target;

    public IReadOnlyList<string> Headers => headers;

    public Socket Socket => socket;

    public Stream Stream => stream;

    public bool Hijacked { get; set; }

    public bool HasHeader(string line) => headers.Any(h => string.Equals(h, line, StringComparison.OrdinalIgnoreCase));

    public Task WriteAsync(string text) => stream.WriteAsync(Encoding.Latin1.GetBytes(text)).AsTask();

    public Task WriteAsync(byte[] bytes) => stream.WriteAsync(bytes).AsTask();
}
