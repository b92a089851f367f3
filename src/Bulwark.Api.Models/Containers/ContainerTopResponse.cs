namespace Bulwark.Api.Models.Containers;

public sealed record ContainerTopResponse(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes);
