namespace Bulwark.Api.Models.Images;

/// <summary>The answer to <c>POST /commit</c>: the new image's id.</summary>
public sealed record CommitResponse(string Id);
