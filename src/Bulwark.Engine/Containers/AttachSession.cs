using System.Threading.Channels;

namespace Bulwark.Engine.Containers;

/// <summary>
/// One client attached to a container's stdio. Output arrives on <see cref="Output"/> in order and the reader
/// completes after the container exited and all its output was delivered.
/// </summary>
public sealed class AttachSession : IDisposable
{
    private readonly ContainerStreams _owner;
    private readonly Channel<(OutputStream Stream, byte[] Data)> _output =
        Channel.CreateBounded<(OutputStream, byte[])>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.Wait });

    internal AttachSession(ContainerStreams owner, bool stdin, bool stdout, bool stderr)
    {
        _owner = owner;
        WantsStdin = stdin;
        WantsStdout = stdout;
        WantsStderr = stderr;
    }

    public bool WantsStdin { get; }
    public bool WantsStdout { get; }
    public bool WantsStderr { get; }

    public ChannelReader<(OutputStream Stream, byte[] Data)> Output => _output.Reader;

    /// <summary>Sends input to the container's stdin (buffered until the process exists).</summary>
    public ValueTask WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => _owner.WriteStdinAsync(data, ct);

    /// <summary>Closes the container's stdin (the process sees EOF).</summary>
    public ValueTask CloseStdinAsync(CancellationToken ct) => _owner.CloseStdinAsync(ct);

    internal async ValueTask DeliverAsync(OutputStream stream, byte[] data)
    {
        if ((stream == OutputStream.Stdout && !WantsStdout) || (stream == OutputStream.Stderr && !WantsStderr))
        {
            return;
        }
        try
        {
            // A slow client slows this attachment only up to the channel bound; past a second it is dropped.
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _output.Writer.WriteAsync((stream, data), cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _output.Writer.TryComplete(new IOException("attach client too slow: output dropped"));
            _owner.Detach(this);
        }
        catch (ChannelClosedException)
        {
        }
    }

    internal void Complete() => _output.Writer.TryComplete();

    public void Dispose()
    {
        _owner.Detach(this);
        _output.Writer.TryComplete();
    }
}
