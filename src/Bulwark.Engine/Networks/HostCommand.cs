using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;

namespace Bulwark.Engine.Networks;

/// <summary>Runs the iproute2 / util-linux helpers networks are realised with (ip, nsenter, mount).</summary>
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
        string path = Locate(tool);
        try
        {
            var r = await RuntimeCommand.RunAsync(path, args, stdin, ct).ConfigureAwait(false);
            return (r.ExitCode, r.Stdout, r.Stderr);
        }
        catch (InvalidOperationException ex)
        {
            throw new EngineException(ErrorKind.Internal, $"could not start {tool}: {ex.Message}", ex);
        }
    }
}
