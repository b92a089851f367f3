namespace Bulwark.Api.Models.Exec;

/// <summary><c>{"Id":"…"}</c> (exec create).</summary>
public sealed record IdResponse(string Id);
