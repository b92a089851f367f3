using System.Globalization;
using Bulwark.Engine.Events;

namespace Bulwark.Engine.Containers;

/// <summary>Publishes Docker's container events (type "container", the record's labels plus image and name).</summary>
internal sealed class ContainerEvents(EventBus bus)
{
    public void Publish(ContainerRecord r, string action, params (string Key, string Value)[] extra)
    {
        var attrs = new Dictionary<string, string>(r.Labels, StringComparer.Ordinal)
        {
            ["image"] = r.Spec.Image,
            ["name"] = r.Name,
        };
        foreach (var (k, v) in extra)
        {
            attrs[k] = v;
        }
        bus.Publish(new EngineEvent("container", action, r.Id, attrs, DateTimeOffset.UtcNow));
    }

    public void PublishDie(ContainerRecord r) =>
        Publish(r, "die", ("exitCode", r.ExitCode.ToString(CultureInfo.InvariantCulture)));

    /// <summary>An event without a container (prune).</summary>
    public void PublishGlobal(string action, IReadOnlyDictionary<string, string> attrs) =>
        bus.Publish(new EngineEvent("container", action, "", attrs, DateTimeOffset.UtcNow));
}
