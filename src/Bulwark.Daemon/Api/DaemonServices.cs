using Bulwark.Daemon.Hosting;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Events;
using Bulwark.Engine.Images;
using Bulwark.Engine.Secrets;
using Bulwark.Engine.Volumes;

namespace Bulwark.Daemon.Api;

/// <summary>The engine facades the API adapter calls, and the daemon's own settings.</summary>
internal sealed record DaemonServices(
    DaemonOptions Options,
    ContainerService Containers,
    ImageService Images,
    EventBus Events,
    SecretStore Secrets,
    VolumeService Volumes,
    string SnapshotDriver,
    DateTimeOffset StartedAt);
