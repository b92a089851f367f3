namespace Bulwark.Integration.Tests.Fixtures;

/// <summary>Locates the binaries under test: env overrides (set by test.sh), else the repo's build outputs.</summary>
public static class RepoPaths
{
    public static string Root
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Bulwark.slnx")))
            {
                dir = Path.GetDirectoryName(dir);
            }
            return dir ?? throw new InvalidOperationException("repository root (Bulwark.slnx) not found above the test assembly");
        }
    }

    public static string Daemon => Env("BULWARKD") ?? FirstExisting(
        Path.Combine(Root, "src/Bulwark.Daemon/bin/Release/net10.0/bulwarkd"),
        Path.Combine(Root, "src/Bulwark.Daemon/bin/Debug/net10.0/bulwarkd"));

    public static string Cli => Env("BULWARK_CLI") ?? FirstExisting(
        Path.Combine(Root, "artifacts/cli/bulwark"),
        Path.Combine(Root, "src/Bulwark.Cli/bin/Release/net10.0/bulwark"),
        Path.Combine(Root, "src/Bulwark.Cli/bin/Debug/net10.0/bulwark"));

    public static string Monitor => Env("BULWARK_MONITOR") ?? Path.Combine(Root, "src/bulwark-monitor/bulwark-monitor");

    public const string DockerCli = "/usr/local/bin/docker";

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static string FirstExisting(params string[] paths) =>
        paths.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException("binary not built: " + string.Join(", ", paths));
}
