namespace Bulwark.Daemon.Http;

/// <summary>The raw connection after a hijack: output writes, input reads (client half-close = input EOF only).</summary>
internal sealed class HijackedStream(HttpConnection connection)
{
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => connection.Stream.WriteAsync(data, ct);

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct) => connection.Reader.ReadAsync(buffer, ct);

    /// <summary>
    /// Ends our output direction (moby's CloseWrite), leaving the client's direction readable. Over TLS the
    /// close_notify goes out first; callers write nothing afterwards, so it completes in the background.
    /// </summary>
    public void CloseOutput() => _ = connection.CloseOutputAsync();
}
