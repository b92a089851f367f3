namespace Bulwark.Api.Models.Images;

public sealed record ImageHistoryItem(string Id, long Created, string CreatedBy, IReadOnlyList<string>? Tags, long Size, string Comment);
