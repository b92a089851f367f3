namespace Bulwark.Engine.Content;

/// <summary>
/// Base of the engine's read-only, forward-only wrapper streams (layer prefixes, hashing, registry downloads): no seek,
/// no write, no length unless a subclass knows one. Subclasses supply the reads and own their inner stream.
/// </summary>
internal abstract class ForwardOnlyReadStream : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
