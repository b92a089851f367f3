namespace Bulwark.Api.Models.Containers;

public sealed record ContainerCreateResponse(string Id, IReadOnlyList<string> Warnings);
