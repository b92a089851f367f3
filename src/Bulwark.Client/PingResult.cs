namespace Bulwark.Client;

/// <summary>Headers of <c>/_ping</c>.</summary>
public sealed record PingResult(string? ApiVersion, string? OsType, bool Experimental, string? Server);
