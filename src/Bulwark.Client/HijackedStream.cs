using Bulwark.Client.Http;

namespace Bulwark.Client;

/// <summary>
/// The raw duplex stream after <c>101 UPGRADED</c>: reads serve bytes already buffered behind the response head
/// first; <see cref="CloseWrite"/> half-closes (the daemon sees stdin EOF, output keeps flowing).
/// </summary>
public sealed class HijackedStream : Stream
{
    private readonly HttpConnection _connection;

    internal HijackedStream(HttpConnection connection) => _connection = connection;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Shuts down the sending direction of the socket.</summary>
    public void CloseWrite() => _connection.CloseWrite();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _connection.Reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _connection.Stream.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _connection.Stream.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _connection.Stream.Write(buffer, offset, count);

    public override void Flush() => _connection.Stream.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _connection.Stream.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection.Dispose();
        }

        base.Dispose(disposing);
    }
}
