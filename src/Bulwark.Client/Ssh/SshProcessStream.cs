using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Bulwark.Client.Ssh;

/// <summary>
/// A duplex stream over an ssh client's stdin and stdout, running <c>bulwark system dial-stdio</c> on the far side.
/// One ssh process per connection; disposing ends it. When ssh ends before answering, reads fail with its stderr.
/// </summary>
internal sealed class SshProcessStream : Stream
{
    private const int StderrLimit = 4096;
    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly string _display;
    private bool _writeClosed;

    private SshProcessStream(Process process, string display)
    {
        _process = process;
        _display = display;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput.BaseStream;
        _stderrPump = PumpStderrAsync(process.StandardError);
    }

    /// <summary>The remote command: the same CLI on the far side relaying to its daemon's socket.</summary>
    public static IReadOnlyList<string> RemoteCommand { get; } = ["bulwark", "system", "dial-stdio"];

    public static SshProcessStream Start(SshAddress address, string sshProgram = "ssh")
    {
        var start = new ProcessStartInfo(sshProgram)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in address.Target.SshArguments(address.ExtraOptions, RemoteCommand))
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            var process = Process.Start(start) ?? throw new IOException($"cannot start {sshProgram} for {address.Display}");
            return new SshProcessStream(process, address.Display);
        }
        catch (Win32Exception ex)
        {
            throw new IOException($"cannot run '{sshProgram}' to reach {address.Display}: {ex.Message} (is an OpenSSH client installed?)", ex);
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Closes ssh's stdin: the far side's dial-stdio half-closes the daemon socket; output keeps flowing.</summary>
    public void CloseWrite()
    {
        if (!_writeClosed)
        {
            _writeClosed = true;
            _stdin.Dispose();
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _stdout.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            await ThrowIfSshFailedAsync(cancellationToken).ConfigureAwait(false);
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await _stdin.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            await _stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            await ThrowIfSshFailedAsync(cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseWrite();
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                }

                _process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already reaped.
            }

            _stdout.Dispose();
            _process.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>End of output: if ssh failed (exit code non-zero), say so with what it printed.</summary>
    private async Task ThrowIfSshFailedAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _stderrPump.ConfigureAwait(false);
        if (_process.ExitCode != 0)
        {
            string detail;
            lock (_stderr)
            {
                detail = _stderr.ToString().Trim();
            }

            throw new IOException($"cannot reach the daemon at {_display}: ssh exited with status {_process.ExitCode}"
                + (detail.Length > 0 ? ": " + detail : ""));
        }
    }

    private async Task PumpStderrAsync(StreamReader stderr)
    {
        var buffer = new char[1024];
        int n;
        while ((n = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                if (_stderr.Length < StderrLimit)
                {
                    _stderr.Append(buffer, 0, Math.Min(n, StderrLimit - _stderr.Length));
                }
            }
        }
    }
}
