using Bulwark.Daemon.Access.Labels;

namespace Bulwark.Daemon.Access;

/// <summary>
/// A named set of allowed actions. The built-in roles are <c>admin</c> (everything), <c>operator</c> and <c>viewer</c>.
/// A custom role with <see cref="Labels"/> grants its actions only on objects whose labels match.
/// </summary>
internal sealed record Role(string Name, IReadOnlySet<string> Allowed, bool AllowsEverything = false, LabelSelector? Labels = null)
{
    public const string AdminName = "admin";
    public const string OperatorName = "operator";
    public const string ViewerName = "viewer";

    /// <summary>Read-only: lists, inspection, logs, stats, events, host information, secret metadata.</summary>
    private static readonly string[] ViewerActions =
    [
        "system.ping", "system.info", "system.df", "system.events",
        "container.list", "container.inspect", "container.logs", "container.stats",
        "image.list", "image.inspect", "network.list", "network.inspect", "volume.list", "volume.inspect",
        "secret.read-metadata",
    ];

    /// <summary>Viewer plus running containers: create, start, attach, wait, stop, kill, restart, pause, remove, exec; and pull.</summary>
    private static readonly string[] OperatorActions =
    [
        .. ViewerActions,
        "container.create", "container.start", "container.attach", "container.wait", "container.stop", "container.kill",
        "container.restart", "container.pause", "container.remove", "container.exec", "image.pull",
    ];

    public static Role Admin { get; } = new(AdminName, new HashSet<string>(ApiActions.All, StringComparer.Ordinal), AllowsEverything: true);
    public static Role Operator { get; } = new(OperatorName, new HashSet<string>(OperatorActions, StringComparer.Ordinal));
    public static Role Viewer { get; } = new(ViewerName, new HashSet<string>(ViewerActions, StringComparer.Ordinal));

    public static IReadOnlyList<Role> BuiltIn { get; } = [Admin, Operator, Viewer];

    /// <summary>Allows the action on any object (a label-scoped role never does).</summary>
    public bool Allows(string action) => Labels is null && (AllowsEverything || Allowed.Contains(action));

    /// <summary>Allows the action on objects whose labels match <see cref="Labels"/>.</summary>
    public bool AllowsOnMatchingLabels(string action) => Labels is not null && Allowed.Contains(action) && LabelSelector.CanScope(action);
}
