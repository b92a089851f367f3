using Bulwark.Daemon.Http;

namespace Bulwark.Daemon.Access.Labels;

/// <summary>One object a request acts on or uses, with its labels (null: not found or not readable).</summary>
internal sealed record LabelledObject(string Description, IReadOnlyDictionary<string, string>? Labels);

/// <summary>The labels of every object a request acts on or uses, for label-scoped roles.</summary>
internal interface ITargetLabels
{
    /// <summary>
    /// The target first (a create request's own labels, read from the buffered body, or the target object's), then
    /// every existing object the request pulls in (a create's named volumes, networks and containers it joins; the
    /// container a network connect names). A label-scoped role must match them all.
    /// </summary>
    Task<IReadOnlyList<LabelledObject>> ObjectsOfAsync(string action, string target, HttpRequest request, CancellationToken ct);
}
