namespace Bulwark.Daemon.Access.Labels;

/// <summary>
/// A custom role's <c>"labels"</c>: every key must be on the object with exactly that value
/// (<c>{"team": "a"}</c> matches an object labelled <c>team=a</c>, whatever else it carries).
/// </summary>
internal sealed record LabelSelector(IReadOnlyDictionary<string, string> Required)
{
    public bool Matches(IReadOnlyDictionary<string, string>? labels) =>
        labels is not null && Required.All(r => labels.TryGetValue(r.Key, out string? v) && v == r.Value);

    /// <summary><c>team=a,tier=web</c>, keys sorted.</summary>
    public override string ToString() =>
        string.Join(",", Required.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Key + "=" + r.Value));

    /// <summary>
    /// Actions a label-scoped role can grant: those on one container, image, volume or network whose labels are known
    /// before the action runs (the object's own, or those in the create request). Lists, prunes, pulls, loads, system
    /// and secret actions have no such object, so a label-scoped role never grants them.
    /// </summary>
    public static bool CanScope(string action) => action is
        "container.create" or "container.inspect" or "container.stats" or "container.logs" or "container.start"
        or "container.stop" or "container.restart" or "container.kill" or "container.pause" or "container.rename"
        or "container.wait" or "container.attach" or "container.remove" or "container.copy-from" or "container.copy-to"
        or "container.exec"
        or "image.inspect" or "image.push" or "image.tag" or "image.remove" or "image.save"
        or "network.create" or "network.inspect" or "network.connect" or "network.remove"
        or "volume.create" or "volume.inspect" or "volume.remove";
}
