using System.Buffers.Binary;

namespace Bulwark.Daemon.Api.Streams;

/// <summary>Docker's 8-byte stdcopy header: stream byte, three zeros, big-endian payload length.</summary>
internal static class StdStreamFramer
{
    public static byte[] Frame(int stream, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[8 + payload.Length];
        frame[0] = (byte)stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(8));
        return frame;
    }
}
