namespace Bulwark.Api.Models.Secrets;

/// <summary>Body of <c>POST /secrets/create</c>; Data is base64.</summary>
public sealed class SecretCreateRequest
{
    public string? Name { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public string? Data { get; set; }
    public JsonElement? Driver { get; set; }
    public JsonElement? Templating { get; set; }
}
