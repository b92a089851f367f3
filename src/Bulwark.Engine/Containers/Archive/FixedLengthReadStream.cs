namespace Bulwark.Engine.Containers.Archive;

/// <summary>
/// Exactly <c>length</c> bytes of a file for a tar entry whose header is already decided: a file that grows while
/// it is archived is cut, one that shrinks is padded with zeros, so the archive stays well-formed. Reports itself
/// seekable (with a fixed Length) because TarWriter sizes entries from Length; it only ever reads forward.
/// </summary>
internal sealed class FixedLengthReadStream(Stream inner, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            if (value != _position)
            {
                throw new NotSupportedException("forward-only stream");
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long remaining = length - _position;
        if (remaining <= 0 || buffer.Length == 0)
        {
            return 0;
        }

        var slice = buffer[..(int)Math.Min(buffer.Length, remaining)];
        int n = inner.Read(slice);
        if (n == 0)
        {
            slice.Clear();
            n = slice.Length;
        }

        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        Position = target;
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
