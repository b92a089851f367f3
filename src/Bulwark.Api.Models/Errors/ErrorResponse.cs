namespace Bulwark.Api.Models.Errors;

/// <summary>Docker's error body: <c>{"message":"..."}</c>.</summary>
public sealed record ErrorResponse
{
    [JsonPropertyName("message")]
    public string Message { get; init; } = "";
}
