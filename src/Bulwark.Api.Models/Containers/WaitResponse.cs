namespace Bulwark.Api.Models.Containers;

/// <summary><c>{"StatusCode":n,"Error":null}</c>.</summary>
public sealed record WaitResponse
{
    public long StatusCode { get; init; }
    public WaitError? Error { get; init; }
}

public sealed record WaitError(string Message);
