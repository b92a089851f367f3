namespace Bulwark.Engine.Runtime.Oci;

/// <summary>The container's init process.</summary>
public sealed record OciProcess
{
    public bool Terminal { get; init; }
    /// <summary>Initial pty size (runtime-spec consoleSize), so the first output already has the client's geometry.</summary>
    public OciConsoleSize? ConsoleSize { get; init; }
    public required OciUser User { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string Cwd { get; init; } = "/";
    public OciCapabilities? Capabilities { get; init; }
    public IReadOnlyList<OciRlimit>? Rlimits { get; init; }
    public bool NoNewPrivileges { get; init; }
    public string? ApparmorProfile { get; init; }
    public int? OomScoreAdj { get; init; }
    public string? SelinuxLabel { get; init; }
}

public sealed record OciConsoleSize(int Height, int Width);
