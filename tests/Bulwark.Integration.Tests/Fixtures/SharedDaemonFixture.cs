namespace Bulwark.Integration.Tests.Fixtures;

/// <summary>One daemon with the busybox test image imported, shared by the tests of a collection.</summary>
public sealed class SharedDaemonFixture : IAsyncLifetime
{
    public const string Image = "test/busybox:1";

    public DaemonInstance Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await DaemonInstance.StartAsync();
        string tar = BusyboxImage.BuildRootfsTar(Path.Combine(Daemon.Root, "image"));
        var result = await Daemon.CliAsync("import", tar, Image);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("importing the busybox test image failed: " + result + "\n" + Daemon.DaemonLog);
        }
    }

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DaemonCollection : ICollectionFixture<SharedDaemonFixture>
{
    public const string Name = "daemon";
}
