using System.Diagnostics;

namespace Bulwark.Integration.Tests.Fixtures;

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs a command with a hard time limit (tests never hang), capturing its output.</summary>
public static class ProcessRunner
{
    public static async Task<CommandResult> RunAsync(
        string file, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var kv in env ?? new Dictionary<string, string>())
        {
            psi.Environment[kv.Key] = kv.Value;
        }
        using var p = Process.Start(psi)!;
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
        }
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }
        return new CommandResult(p.ExitCode, await stdoutTask, await stderrTask);
    }
}
