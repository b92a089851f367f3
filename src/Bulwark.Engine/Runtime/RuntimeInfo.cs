namespace Bulwark.Engine.Runtime;

/// <summary>The OCI runtime the daemon uses; FallbackReason says why the preferred one was not chosen.</summary>
public sealed record RuntimeInfo(string Name, string Path, string Version, string? FallbackReason);
