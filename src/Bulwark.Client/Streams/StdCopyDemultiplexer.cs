using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Bulwark.Client.Streams;

/// <summary>
/// Splits a non-TTY attach/logs stream: 8-byte header (byte 0 = stream: 0 stdin, 1 stdout, 2 stderr, 3 daemon
/// error; bytes 4–7 = big-endian payload length) followed by the payload.
/// </summary>
public static class StdCopyDemultiplexer
{
    /// <summary>Copies frames until end of stream; a stream-3 frame raises <see cref="DockerApiException"/>.</summary>
    public static async Task CopyAsync(Stream source, Stream stdout, Stream stderr, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            while (true)
            {
                var got = await ReadFullyAsync(source, header, cancellationToken).ConfigureAwait(false);
                if (got == 0)
                {
                    return;
                }

                if (got < header.Length)
                {
                    throw new EndOfStreamException("stream ended inside a frame header");
                }

                var kind = header[0];
                var remaining = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
                if (kind == 3)
                {
                    var text = new byte[Math.Min(remaining, 1 << 20)];
                    var n = await ReadFullyAsync(source, text, cancellationToken).ConfigureAwait(false);
                    throw new DockerApiException(500, "error from daemon in stream: " + Encoding.UTF8.GetString(text, 0, n));
                }

                if (kind > 3)
                {
                    throw new InvalidDataException($"unknown stream type {kind} in multiplexed stream");
                }

                var target = kind == 2 ? stderr : stdout;
                while (remaining > 0)
                {
                    var want = (int)Math.Min(remaining, (uint)buffer.Length);
                    var n = await source.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new EndOfStreamException("stream ended inside a frame payload");
                    }

                    await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    remaining -= (uint)n;
                }

                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<int> ReadFullyAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await source.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
