using System.Diagnostics;

namespace Bulwark.Cli.Running;

/// <summary>
/// Puts our terminal into raw mode for <c>-t</c> through <c>stty</c> (no syscalls outside Bulwark.Native) and
/// restores the saved settings on dispose.
/// </summary>
internal sealed class TerminalMode : IDisposable
{
    private readonly string _saved;

    private TerminalMode(string saved) => _saved = saved;

    /// <summary>Null when stdin is not a terminal or stty is unavailable.</summary>
    public static TerminalMode? TryEnterRaw()
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        var saved = Stty("-g");
        if (saved is null)
        {
            return null;
        }

        Stty("raw", "-echo");
        return new TerminalMode(saved.Trim());
    }

    public void Dispose() => Stty(_saved);

    private static string? Stty(params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("stty") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi);
            if (p is null)
            {
                return null;
            }

            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
