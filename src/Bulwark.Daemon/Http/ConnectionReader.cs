using System.Text;

namespace Bulwark.Daemon.Http;

/// <summary>Buffered reads from one client connection (a socket or TLS stream): request heads line by line, then bodies.</summary>
internal sealed class ConnectionReader
{
    private const int MaxLineLength = 64 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public ConnectionReader(Stream stream) => _stream = stream;

    public bool EndOfStream { get; private set; }

    /// <summary>Bytes consumed by <see cref="ReadLineAsync"/> so far (line terminators included): the head-size cap counts these.</summary>
    public long LineBytesRead { get; private set; }

    /// <summary>Waits until at least one byte is buffered; false at end of stream.</summary>
    public async ValueTask<bool> WaitForDataAsync(CancellationToken ct)
    {
        if (_start < _end)
        {
            return true;
        }
        _start = _end = 0;
        return await FillAsync(ct).ConfigureAwait(false) > 0;
    }

    /// <summary>Reads one line (LF or CRLF terminated), or null at end of stream.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        var sb = (StringBuilder?)null;
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl >= 0)
            {
                int lineEnd = nl > _start && _buffer[nl - 1] == '\r' ? nl - 1 : nl;
                string part = Encoding.Latin1.GetString(_buffer, _start, lineEnd - _start);
                LineBytesRead += nl + 1 - _start;
                _start = nl + 1;
                if (sb is null)
                {
                    return part;
                }
                sb.Append(part);
                string line = sb.ToString();
                return line.EndsWith('\r') ? line[..^1] : line;
            }
            sb ??= new StringBuilder();
            sb.Append(Encoding.Latin1.GetString(_buffer, _start, _end - _start));
            LineBytesRead += _end - _start;
            _start = _end = 0;
            if (sb.Length > MaxLineLength)
            {
                throw new HttpProtocolException("request header line too long");
            }
            if (await FillAsync(ct).ConfigureAwait(false) == 0)
            {
                return sb.Length == 0 ? null : throw new HttpProtocolException("connection closed inside a request head");
            }
        }
    }

    /// <summary>Reads buffered bytes first, then from the socket; 0 at end of stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_start < _end)
        {
            int n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }
        if (EndOfStream)
        {
            return 0;
        }
        int read = await _stream.ReadAsync(destination, ct).ConfigureAwait(false);
        if (read == 0)
        {
            EndOfStream = true;
        }
        return read;
    }

    private async ValueTask<int> FillAsync(CancellationToken ct)
    {
        if (EndOfStream)
        {
            return 0;
        }
        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (read == 0)
        {
            EndOfStream = true;
        }
        _end += read;
        return read;
    }
}
