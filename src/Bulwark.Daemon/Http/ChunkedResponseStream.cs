using System.Text;

namespace Bulwark.Daemon.Http;

/// <summary>Writes chunked transfer coding; every write is flushed so streaming clients see data at once.</summary>
internal sealed class ChunkedResponseStream(Stream inner) : Stream
{
    private bool _completed;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return;
        }
        byte[] prefix = Encoding.ASCII.GetBytes(buffer.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
        byte[] frame = new byte[prefix.Length + buffer.Length + 2];
        prefix.CopyTo(frame, 0);
        buffer.CopyTo(frame.AsMemory(prefix.Length));
        frame[^2] = (byte)'\r';
        frame[^1] = (byte)'\n';
        await inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Writes the terminating zero-length chunk.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        await inner.WriteAsync("0\r\n\r\n"u8.ToArray(), ct).ConfigureAwait(false);
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
