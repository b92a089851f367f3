using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust;

/// <summary><c>docker commit</c> creates unsigned content: refused under enforced content trust, as load and import are.</summary>
[Collection(ContentTrustCollection.Name)]
public sealed class CommitUnderTrustTests(ContentTrustFixture fx)
{
    [Fact]
    public async Task Enforced_CommitOfAContainerOfASignedImage_IsRefusedAndStoresNothing()
    {
        string image = $"{fx.Registry.Host}/team/app:signed";
        await fx.PushSignedAsync(image);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));
        var run = await d.DockerAsync("run", "--name", "work", "--network", "none", image, "sh", "-c", "echo changed > /changed");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        string before = (await d.DockerAsync("images", "-q", "--no-trunc")).Stdout;

        var commit = await d.DockerAsync("commit", "work", "local/committed:1");
        Assert.Equal(1, commit.ExitCode);
        Assert.Contains("content trust: commit: no-trust-data: commit creates unsigned images", commit.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, (await d.DockerAsync("images", "-q", "--no-trunc")).Stdout);
    }
}
