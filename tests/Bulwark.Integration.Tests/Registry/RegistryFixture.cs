using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Registry;

/// <summary>Its own daemon (so images can be removed entirely) with test/busybox:1 imported, and a local registry.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public DaemonInstance Daemon { get; private set; } = null!;

    public LocalRegistry Registry { get; private set; } = null!;

    public string RootfsTar { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Registry = await LocalRegistry.StartAsync();
        Daemon = await DaemonInstance.StartAsync();
        RootfsTar = BusyboxImage.BuildRootfsTar(Path.Combine(Daemon.Root, "image"));
        var result = await Daemon.CliAsync("import", RootfsTar, SharedDaemonFixture.Image);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("importing the busybox test image failed: " + result + "\n" + Daemon.DaemonLog);
        }
    }

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await Registry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}
