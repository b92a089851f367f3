namespace Bulwark.Api.Models.Containers;

/// <summary>Bulwark's <c>POST /bulwark/containers/{id}/isolate</c>: the container's isolation after the request.</summary>
public sealed class IsolateResponse
{
    public string ID { get; set; } = "";
    public bool Isolated { get; set; }
    public bool Frozen { get; set; }
    /// <summary>RFC 3339; empty when not isolated.</summary>
    public string Since { get; set; } = "";
    /// <summary>The links brought down in the container's network namespace (restored on undo).</summary>
    public List<string> LinksDown { get; set; } = [];
}
