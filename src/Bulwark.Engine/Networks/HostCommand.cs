using System.Diagnostics;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks;

/// <summary>Runs the iproute2 / util-linux helpers networks are realised with (ip, unshare, nsenter).</summary>
internal static class HostCommand
{
    private static readonly string[] SearchDirs = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public static string Locate(string name) =>
        SearchDirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new EngineException(ErrorKind.Unavailable, $"{name} is not installed: bulwark networks need iproute2 and util-linux");

    /// <summary>Runs the command; a non-zero exit is an internal error carrying its stderr.</summary>
    public static async Task<string> RunAsync(string tool, IReadOnlyList<string> args, string? stdin, CancellationToken ct)
    {
        var (code, stdout, stderr) = await TryRunAsync(tool, args, stdin, ct).ConfigureAwait(false);
        if (code != 0)
        {
            throw new EngineException(ErrorKind.Internal, $"{tool} {string.Join(' ', args)}: {stderr.Trim()} (exit {code})");
        }
        return stdout;
    }

    public static async Task<(int Code, string Stdout, string Stderr)> TryRunAsync(string tool, IReadOnlyList<string> args, string? stdin, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(Locate(tool))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new EngineException(ErrorKind.Internal, $"could not start {tool}");
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
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
