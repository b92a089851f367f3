namespace Bulwark.Client.Http;

/// <summary>A body of exactly Content-Length bytes.</summary>
internal sealed class ContentLengthBodyStream : ReadOnlyBodyStream
{
    private readonly HttpReader _reader;
    private long _remaining;

    public ContentLengthBodyStream(HttpReader reader, long length)
    {
        _reader = reader;
        _remaining = length;
        if (length == 0)
        {
            MarkComplete();
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var want = (int)Math.Min(buffer.Length, _remaining);
        var n = await _reader.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new EndOfStreamException($"the daemon closed the connection with {_remaining} body bytes missing");
        }

        _remaining -= n;
        if (_remaining == 0)
        {
            MarkComplete();
        }

        return n;
    }
}
