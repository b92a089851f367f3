using System.Buffers.Binary;

namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>The monitor wire format: 1 byte type, 4 bytes big-endian length, payload.</summary>
internal static class MonitorFrame
{
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Started = (byte)'P';
    public const byte Failed = (byte)'F';
    public const byte Exited = (byte)'X';
    public const byte StdinData = 0;
    public const byte CloseStdin = (byte)'C';
    public const byte Resize = (byte)'R';
    public const int MaxPayload = 16 * 1024 * 1024;

    /// <summary>Reads one frame; null at a clean end of stream.</summary>
    public static async Task<(byte Type, byte[] Payload)?> ReadAsync(Stream stream, CancellationToken ct)
    {
        var header = new byte[5];
        var got = await ReadFullyAsync(stream, header, ct).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < header.Length)
        {
            throw new EndOfStreamException("monitor connection closed in the middle of a frame");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > MaxPayload)
        {
            throw new InvalidDataException($"monitor frame of {length} bytes exceeds the limit");
        }

        var payload = new byte[length];
        if (await ReadFullyAsync(stream, payload, ct).ConfigureAwait(false) < payload.Length)
        {
            throw new EndOfStreamException("monitor connection closed in the middle of a frame");
        }

        return (header[0], payload);
    }

    public static byte[] Encode(byte type, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = type;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    private static async Task<int> ReadFullyAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
