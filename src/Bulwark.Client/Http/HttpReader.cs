using System.Globalization;
using System.Text;

namespace Bulwark.Client.Http;

/// <summary>
/// Buffered reader over a connection: reads response heads line by line (CRLF or bare LF) and hands the
/// remaining bytes to body streams, so nothing read ahead of a body or a hijacked stream is lost.
/// </summary>
internal sealed class HttpReader(Stream inner)
{
    private const int MaxLine = 64 * 1024;
    private const int MaxHeaders = 256;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _pos;
    private int _len;

    /// <summary>Bytes already buffered but not yet consumed.</summary>
    public int Buffered => _len - _pos;

    /// <summary>Reads into <paramref name="destination"/>, serving buffered bytes first; 0 means end of stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_pos < _len)
        {
            var n = Math.Min(destination.Length, _len - _pos);
            _buffer.AsMemory(_pos, n).CopyTo(destination);
            _pos += n;
            return n;
        }

        return await inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one line without its terminator; null at end of stream before any byte.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        StringBuilder? longLine = null;
        while (true)
        {
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var end = lf > 0 && span[lf - 1] == (byte)'\r' ? lf - 1 : lf;
                var text = Encoding.Latin1.GetString(span[..end]);
                _pos += lf + 1;
                if (longLine is null)
                {
                    return text;
                }

                longLine.Append(text);
                var whole = longLine.ToString();
                return whole.EndsWith('\r') ? whole[..^1] : whole;
            }

            if (span.Length > 0)
            {
                longLine ??= new StringBuilder();
                longLine.Append(Encoding.Latin1.GetString(span));
                _pos = _len;
                if (longLine.Length > MaxLine)
                {
                    throw new HttpProtocolViolationException("response header line is too long");
                }
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (longLine is null)
                {
                    return null;
                }

                throw new HttpProtocolViolationException("connection closed in the middle of a header line");
            }
        }
    }

    /// <summary>Reads a status line and headers up to the blank line.</summary>
    public async ValueTask<HttpResponseHead> ReadResponseHeadAsync(CancellationToken cancellationToken)
    {
        var statusLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new EndOfStreamException("the daemon closed the connection before sending a response");
        var (status, reason) = ParseStatusLine(statusLine);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new HttpProtocolViolationException("connection closed inside the response headers");
            if (line.Length == 0)
            {
                break;
            }

            if (headers.Count >= MaxHeaders)
            {
                throw new HttpProtocolViolationException("too many response headers");
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new HttpProtocolViolationException($"malformed header line '{line}'");
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        return new HttpResponseHead(status, reason, headers);
    }

    internal static (int Status, string Reason) ParseStatusLine(string line)
    {
        // HTTP/1.1 200 OK
        if (!line.StartsWith("HTTP/1.", StringComparison.Ordinal) || line.Length < 12 || line[8] != ' '
            || (line.Length > 12 && line[12] != ' '))
        {
            throw new HttpProtocolViolationException($"malformed status line '{line}'");
        }

        if (!int.TryParse(line.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new HttpProtocolViolationException($"malformed status code in '{line}'");
        }

        var reason = line.Length > 13 ? line[13..] : "";
        return (status, reason);
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_pos == _len)
        {
            _pos = 0;
            _len = 0;
        }
        else if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _len - _pos);
            _len -= _pos;
            _pos = 0;
        }

        if (_len == _buffer.Length)
        {
            throw new HttpProtocolViolationException("response header line is too long");
        }

        var n = await inner.ReadAsync(_buffer.AsMemory(_len), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            return false;
        }

        _len += n;
        return true;
    }
}
