namespace Bulwark.Api.Models.Containers;

/// <summary>One element of <c>GET /containers/{id}/changes</c>: Kind 0 = modified, 1 = added, 2 = deleted.</summary>
public sealed record ContainerChangeItem(string Path, int Kind);
