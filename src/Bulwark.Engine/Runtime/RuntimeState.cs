namespace Bulwark.Engine.Runtime;

/// <summary>The runtime's view of a container: "created", "running", "paused" or "stopped", and the init pid.</summary>
public sealed record RuntimeState(string Status, int Pid);
