using Bulwark.Daemon.Http;

namespace Bulwark.Daemon.Access.Labels;

/// <summary>The labels of the object a request acts on, for label-scoped roles.</summary>
internal interface ITargetLabels
{
    /// <summary>
    /// The create request's labels (for <c>*.create</c>, read from the buffered body) or the target's own; null when
    /// the target does not exist or the body is not readable JSON.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>?> LabelsOfAsync(string action, string target, HttpRequest request, CancellationToken ct);
}
