using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Security;

/// <summary>A daemon with default settings (userns on, safe policy) and the probe images.</summary>
public sealed class DefaultProbeDaemonFixture : IAsyncLifetime
{
    public DaemonInstance Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await DaemonInstance.StartAsync();
        await ProbeImage.ImportAsync(Daemon, ProbeImage.BuildProbeTar(Path.Combine(Daemon.Root, "probe")), ProbeImage.Name);
        await ProbeImage.ImportAsync(Daemon, ProbeImage.BuildHostileDevTar(Path.Combine(Daemon.Root, "hostile")), ProbeImage.HostileDev);
    }

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}

/// <summary>A second daemon whose daemon.json relaxes every policy key: the risky options the probes must catch.</summary>
public sealed class PermissiveProbeDaemonFixture : IAsyncLifetime
{
    public const string Config = """
        {
          "policy": {
            "allow-privileged": true,
            "allow-host-namespaces": true,
            "seccomp-unconfined-allowed": true,
            "capabilities-allowed": ["ALL"],
            "allowed-devices": ["/dev/null"]
          }
        }
        """;

    public DaemonInstance Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await DaemonInstance.StartAsync(Config);
        await ProbeImage.ImportAsync(Daemon, ProbeImage.BuildProbeTar(Path.Combine(Daemon.Root, "probe")), ProbeImage.Name);
    }

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}
