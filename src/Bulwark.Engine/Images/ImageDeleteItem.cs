namespace Bulwark.Engine.Images;

/// <summary>One line of `docker rmi` output: either an untagged reference or a deleted id.</summary>
public sealed record ImageDeleteItem(string? Untagged, string? Deleted);
