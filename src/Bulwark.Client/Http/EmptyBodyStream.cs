namespace Bulwark.Client.Http;

/// <summary>The body of a HEAD response, 1xx, 204 or 304.</summary>
internal sealed class EmptyBodyStream : ReadOnlyBodyStream
{
    public EmptyBodyStream() => MarkComplete();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(0);
}
