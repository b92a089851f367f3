using System.Globalization;

namespace Bulwark.Client.Http;

/// <summary>A <c>Transfer-Encoding: chunked</c> body; trailers are read and ignored.</summary>
internal sealed class ChunkedBodyStream(HttpReader reader) : ReadOnlyBodyStream
{
    private long _chunkRemaining;
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.IsEmpty)
        {
            return 0;
        }

        if (_chunkRemaining == 0)
        {
            var sizeLine = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new EndOfStreamException("the daemon closed the connection inside a chunked body");
            var semi = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var hex = (semi >= 0 ? sizeLine[..semi] : sizeLine).Trim();
            if (!long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _chunkRemaining)
                || _chunkRemaining < 0)
            {
                throw new HttpProtocolViolationException($"malformed chunk size '{sizeLine}'");
            }

            if (_chunkRemaining == 0)
            {
                // Trailer section ends with an empty line.
                while (true)
                {
                    var trailer = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    if (string.IsNullOrEmpty(trailer))
                    {
                        break;
                    }
                }

                _done = true;
                MarkComplete();
                return 0;
            }
        }

        var want = (int)Math.Min(buffer.Length, _chunkRemaining);
        var n = await reader.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new EndOfStreamException("the daemon closed the connection inside a chunk");
        }

        _chunkRemaining -= n;
        if (_chunkRemaining == 0)
        {
            var crlf = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (crlf is null || crlf.Length != 0)
            {
                throw new HttpProtocolViolationException("chunk is not followed by CRLF");
            }
        }

        return n;
    }
}
