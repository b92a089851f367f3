using Bulwark.Integration.Tests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>Docker.DotNet (no Upgrade header, sparse bodies, bare-LF headers) against bulwarkd.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerDotNetTests(SharedDaemonFixture fx)
{
    [Fact]
    public async Task CreateStartWaitLogs_RoundTrip()
    {
        using var client = new DockerClientConfiguration(new Uri(fx.Daemon.Host)).CreateClient();
        var version = await client.System.GetVersionAsync();
        Assert.Equal("1.44", version.APIVersion);

        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = SharedDaemonFixture.Image,
            Cmd = ["sh", "-c", "echo dotnet; exit 2"],
        });
        Assert.Equal(64, created.ID.Length);
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var wait = await client.Containers.WaitContainerAsync(created.ID);
        Assert.Equal(2, wait.StatusCode);
        var inspect = await client.Containers.InspectContainerAsync(created.ID);
        Assert.Equal("exited", inspect.State.Status);
        var list = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true });
        Assert.Contains(list, c => c.ID == created.ID);
        await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        await Assert.ThrowsAsync<DockerContainerNotFoundException>(() => client.Containers.InspectContainerAsync(created.ID));
    }
}
