namespace Bulwark.Daemon.Incident.Evidence;

/// <summary>An in-memory write-only stream that refuses to grow past a cap (throws <see cref="CapExceededException"/>).</summary>
internal sealed class CappedBuffer(long cap) : MemoryStream
{
    public override void Write(byte[] buffer, int offset, int count)
    {
        Check(count);
        base.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check(buffer.Length);
        base.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        Check(1);
        base.WriteByte(value);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Check(count);
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Check(buffer.Length);
        return base.WriteAsync(buffer, cancellationToken);
    }

    private void Check(int count)
    {
        if (Length + count > cap)
        {
            throw new CapExceededException();
        }
    }
}

/// <summary>Thrown by <see cref="CappedBuffer"/> when a write would pass its cap.</summary>
internal sealed class CapExceededException : IOException;
