namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>Which container output stream a chunk came from (values are the monitor's frame types).</summary>
public enum StreamKind
{
    Stdout = 1,
    Stderr = 2,
}
