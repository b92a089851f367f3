using Bulwark.Engine.Content;

namespace Bulwark.Engine.Registry;

/// <summary>
/// A read-only wrapper that reports bytes read (at most every <c>step</c> bytes, and at the end) and refuses to read
/// more than <c>limit</c> bytes, so a registry cannot stream more than a descriptor announced.
/// </summary>
internal sealed class ProgressReadStream(Stream inner, long limit, string subject, Action<long>? report, long step = 512 * 1024) : ForwardOnlyReadStream
{
    private long read;
    private long lastReported;

    public override long Position
    {
        get => read;
        set => throw new NotSupportedException();
    }

    public long BytesRead => read;

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int n)
    {
        read += n;
        if (read > limit)
        {
            throw Errors.EngineException.Invalid($"{subject}: the registry sent more than the {limit} bytes its descriptor declares");
        }

        if (report is not null && (n == 0 || read - lastReported >= step))
        {
            lastReported = read;
            report(read);
        }

        return n;
    }
}
