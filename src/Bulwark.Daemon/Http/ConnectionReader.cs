using System.Net.Sockets;
using System.Text;

namespace Bulwark.Daemon.Http;

/// <summary>Buffered reads from one client socket: request heads line by line, then bodies.</summary>
internal sealed class ConnectionReader
{
    private const int MaxLineLength = 64 * 1024;
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public ConnectionReader(Socket socket) => _socket = socket;

    public bool EndOfStream { get; private set; }

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
        int read = await _socket.ReceiveAsync(destination, SocketFlags.None, ct).ConfigureAwait(false);
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
        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct).ConfigureAwait(false);
        if (read == 0)
        {
            EndOfStream = true;
        }
        _end += read;
        return read;
    }
}
