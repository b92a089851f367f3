using System.Buffers;
using System.Text;

namespace Bulwark.Client.Http;

/// <summary>Serialises requests in HTTP/1.1 wire form.</summary>
internal static class HttpRequestWriter
{
    public const string UserAgent = "Bulwark-Client/0.1 (linux)";
    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();

    /// <summary>The request line and headers, ending with the blank line.</summary>
    public static byte[] FormatHead(HttpRequest request)
    {
        var sb = new StringBuilder(256);
        sb.Append(request.Method).Append(' ').Append(request.Target).Append(" HTTP/1.1\r\n");
        sb.Append("Host: bulwark\r\n");
        sb.Append("User-Agent: ").Append(UserAgent).Append("\r\n");
        if (request.StreamBody is not null)
        {
            sb.Append("Transfer-Encoding: chunked\r\n");
        }
        else if (request.Body is { } body)
        {
            sb.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }
        else if (request.Method is not ("GET" or "HEAD"))
        {
            sb.Append("Content-Length: 0\r\n");
        }

        if (request.ContentType is not null)
        {
            sb.Append("Content-Type: ").Append(request.ContentType).Append("\r\n");
        }

        foreach (var (name, value) in request.Headers)
        {
            sb.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        sb.Append("\r\n");
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    /// <summary>Writes head and body; a stream body is copied as chunks of up to 64 KiB.</summary>
    public static async Task WriteAsync(Stream destination, HttpRequest request, CancellationToken cancellationToken)
    {
        var head = FormatHead(request);
        if (request.StreamBody is { } stream)
        {
            await destination.WriteAsync(head, cancellationToken).ConfigureAwait(false);
            await WriteChunkedAsync(destination, stream, cancellationToken).ConfigureAwait(false);
        }
        else if (request.Body is { Length: > 0 } body)
        {
            var all = new byte[head.Length + body.Length];
            head.CopyTo(all, 0);
            body.Span.CopyTo(all.AsSpan(head.Length));
            await destination.WriteAsync(all, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await destination.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies <paramref name="source"/> as chunked transfer coding, ending with the last chunk.</summary>
    public static async Task WriteChunkedAsync(Stream destination, Stream source, CancellationToken cancellationToken)
    {
        const int chunk = 64 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk + 16);
        try
        {
            while (true)
            {
                // Leave room in front for the size line ("ffff\r\n" at most 10 bytes) and 2 bytes behind.
                var n = await source.ReadAsync(buffer.AsMemory(10, chunk), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                var size = Encoding.ASCII.GetBytes(n.ToString("x", global::System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
                var start = 10 - size.Length;
                size.CopyTo(buffer, start);
                buffer[10 + n] = (byte)'\r';
                buffer[11 + n] = (byte)'\n';
                await destination.WriteAsync(buffer.AsMemory(start, size.Length + n + 2), cancellationToken).ConfigureAwait(false);
            }

            await destination.WriteAsync(LastChunk, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
