namespace Bulwark.Daemon.Http;

/// <summary>A request body framed by Content-Length or chunked transfer coding, read from the connection.</summary>
internal sealed class RequestBodyStream : Stream
{
    private readonly ConnectionReader _reader;
    private readonly bool _chunked;
    private long _remaining;
    private bool _done;
    private ReadOnlyMemory<byte> _buffered;
    private bool _isBuffered;

    public RequestBodyStream(ConnectionReader reader, long contentLength, bool chunked)
    {
        _reader = reader;
        _chunked = chunked;
        _remaining = chunked ? 0 : contentLength;
        _done = !chunked && contentLength <= 0;
    }

    public long BytesRead { get; private set; }

    public bool Completed => _done && _buffered.IsEmpty;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Reads the whole body into memory (at most <paramref name="maxBytes"/>) so it can be looked at before the handler
    /// runs; later reads replay it. Null when the body is larger (then nothing was consumed beyond what is replayed).
    /// </summary>
    public async Task<ReadOnlyMemory<byte>?> BufferAsync(int maxBytes, CancellationToken cancellationToken)
    {
        if (_isBuffered)
        {
            return _buffered;
        }

        using var copy = new MemoryStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = await ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            copy.Write(chunk, 0, n);
            if (copy.Length > maxBytes)
            {
                _buffered = copy.ToArray();
                _isBuffered = true;
                return null;
            }
        }

        _buffered = copy.ToArray();
        _isBuffered = true;
        return _buffered;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_isBuffered && _buffered.Length > 0)
        {
            int take = Math.Min(buffer.Length, _buffered.Length);
            _buffered[..take].CopyTo(buffer);
            _buffered = _buffered[take..];
            return take;
        }

        if (_done || buffer.Length == 0)
        {
            return 0;
        }
        if (_chunked && _remaining == 0)
        {
            string? sizeLine = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new HttpProtocolException("connection closed inside a chunked body");
            int semi = sizeLine.IndexOf(';', StringComparison.Ordinal);
            string hex = (semi >= 0 ? sizeLine[..semi] : sizeLine).Trim();
            if (!long.TryParse(hex, System.Globalization.NumberStyles.HexNumber, null, out long size) || size < 0)
            {
                throw new HttpProtocolException($"invalid chunk size '{hex}'");
            }
            if (size == 0)
            {
                // Trailers end with an empty line.
                while (!string.IsNullOrEmpty(await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)))
                {
                }
                _done = true;
                return 0;
            }
            _remaining = size;
        }
        int want = (int)Math.Min(buffer.Length, _remaining);
        int n = await _reader.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new HttpProtocolException("connection closed inside a request body");
        }
        _remaining -= n;
        BytesRead += n;
        if (_remaining == 0)
        {
            if (_chunked)
            {
                await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _done = true;
            }
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Consumes what the handler left unread so the next request on the connection parses.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        byte[] scratch = new byte[8192];
        while (await ReadAsync(scratch, ct).ConfigureAwait(false) > 0)
        {
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
