namespace Bulwark.Client.Http;

/// <summary>A body that ends when the daemon closes the connection (no length, no chunking).</summary>
internal sealed class CloseDelimitedBodyStream(HttpReader reader) : ReadOnlyBodyStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (IsComplete || buffer.IsEmpty)
        {
            return 0;
        }

        var n = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            MarkComplete();
        }

        return n;
    }
}
