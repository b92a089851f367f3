using System.Text;
using Bulwark.Client;
using Bulwark.Client.Streams;

namespace Bulwark.Cli.Tests.Streams;

public sealed class StdCopyDemultiplexerTests
{
    private static byte[] Frame(byte stream, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new byte[8 + payload.Length];
        frame[0] = stream;
        frame[4] = (byte)(payload.Length >> 24);
        frame[5] = (byte)(payload.Length >> 16);
        frame[6] = (byte)(payload.Length >> 8);
        frame[7] = (byte)payload.Length;
        payload.CopyTo(frame, 8);
        return frame;
    }

    [Fact]
    public async Task CopyAsync_Frames_SplitToStdoutAndStderr()
    {
        var big = new string('x', 70_000);
        var source = new MemoryStream([.. Frame(1, "hi\n"), .. Frame(2, "done\n"), .. Frame(1, big)]);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        await StdCopyDemultiplexer.CopyAsync(new TrickleStream(source), stdout, stderr, CancellationToken.None);

        Assert.Equal("hi\n" + big, Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("done\n", Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [Fact]
    public async Task CopyAsync_SystemErrorFrame_Throws()
    {
        var source = new MemoryStream(Frame(3, "boom"));

        var ex = await Assert.ThrowsAsync<DockerApiException>(() =>
            StdCopyDemultiplexer.CopyAsync(source, Stream.Null, Stream.Null, CancellationToken.None));
        Assert.Contains("boom", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyAsync_TruncatedHeader_Throws() =>
        await Assert.ThrowsAsync<EndOfStreamException>(() =>
            StdCopyDemultiplexer.CopyAsync(new MemoryStream([1, 0, 0]), Stream.Null, Stream.Null, CancellationToken.None));

    /// <summary>Returns at most 3 bytes per read, so frames straddle reads.</summary>
    private sealed class TrickleStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 3));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
