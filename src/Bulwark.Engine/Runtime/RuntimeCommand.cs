using System.Diagnostics;

namespace Bulwark.Engine.Runtime;

/// <summary>
/// Runs a short-lived command (the OCI runtime CLI, the iproute2/util-linux helpers of networks) and captures its
/// output; a given stdin text is written to it first. Cancelling kills it.
/// </summary>
internal static class RuntimeCommand
{
    public static Task<RuntimeCommandResult> RunAsync(string path, IEnumerable<string> args, CancellationToken ct) =>
        RunAsync(path, args, null, ct);

    public static async Task<RuntimeCommandResult> RunAsync(string path, IEnumerable<string> args, string? stdin, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {path}");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), ct).ConfigureAwait(false);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // already exited
            }

            throw;
        }

        return new RuntimeCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
