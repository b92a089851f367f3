using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Containers;

[Collection(DaemonCollection.Name)]
public sealed class HealthcheckTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private async Task<string> PollHealthAsync(string name, string expected)
    {
        string last = "";
        for (int i = 0; i < 100; i++)
        {
            last = (await D.DockerAsync("inspect", "--format", "{{.State.Health.Status}}", name)).Stdout.Trim();
            if (last == expected)
            {
                break;
            }
            await Task.Delay(100);
        }
        return last;
    }

    [Fact]
    public async Task PassingHealthCmd_BecomesHealthyAndPsShowsIt()
    {
        var run = await D.DockerAsync("run", "-d", "--name", "healthy1", "--health-cmd", "test -d /tmp", "--health-interval", "200ms",
            SharedDaemonFixture.Image, "sleep", "60");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("healthy", await PollHealthAsync("healthy1", "healthy"));
        var ps = await D.DockerAsync("ps", "--filter", "name=healthy1");
        Assert.Contains("(healthy)", ps.Stdout, StringComparison.Ordinal);
        await D.DockerAsync("rm", "-f", "healthy1");
    }

    [Fact]
    public async Task FailingHealthCmd_BecomesUnhealthyAfterTheRetries()
    {
        var run = await D.DockerAsync("run", "-d", "--name", "unhealthy1", "--health-cmd", "echo probe-output; exit 1", "--health-interval", "200ms",
            "--health-retries", "2", SharedDaemonFixture.Image, "sleep", "60");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("unhealthy", await PollHealthAsync("unhealthy1", "unhealthy"));
        var log = await D.DockerAsync("inspect", "--format", "{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}", "unhealthy1");
        Assert.Equal("1 probe-output", log.Stdout.Trim());
        await D.DockerAsync("rm", "-f", "unhealthy1");
    }

    /// <summary>A docker-save archive whose image config carries a HEALTHCHECK, built here from the busybox rootfs.</summary>
    private static string BuildImageWithHealthcheck(string dir, string tag)
    {
        byte[] layer = File.ReadAllBytes(BusyboxImage.BuildRootfsTar(Path.Combine(dir, "src")));
        string diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(layer));
        string config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sleep\",\"60\"]," +
            "\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"test -d /tmp\"],\"Interval\":200000000,\"Retries\":2}}," +
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}";
        string manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"" + tag + "\"],\"Layers\":[\"layer.tar\"]}]";
        string archive = Path.Combine(dir, "healthcheck-image.tar");
        using var fs = File.Create(archive);
        using var tar = new TarWriter(fs, TarEntryFormat.Pax);
        foreach (var (name, data) in new[] { ("layer.tar", layer), ("config.json", Encoding.UTF8.GetBytes(config)), ("manifest.json", Encoding.UTF8.GetBytes(manifest)) })
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }
        return archive;
    }

    [Fact]
    public async Task ImageHealthcheck_IsUsedUnlessTheContainerDisablesIt()
    {
        string archive = BuildImageWithHealthcheck(Path.Combine(D.Root, "hc-image"), "test/healthy:1");
        var load = await D.DockerAsync("load", "-i", archive);
        Assert.True(load.ExitCode == 0, load.ToString());
        var inspect = await D.DockerAsync("image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", "test/healthy:1");
        Assert.Equal("[\"CMD-SHELL\",\"test -d /tmp\"]", inspect.Stdout.Trim());
        Assert.Equal(0, (await D.DockerAsync("run", "-d", "--name", "imghealth", "test/healthy:1")).ExitCode);
        Assert.Equal("healthy", await PollHealthAsync("imghealth", "healthy"));
        Assert.Equal(0, (await D.DockerAsync("run", "-d", "--name", "nohealth", "--no-healthcheck", "test/healthy:1")).ExitCode);
        await Task.Delay(600);
        Assert.Equal("", (await D.DockerAsync("inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{end}}", "nohealth")).Stdout.Trim());
        await D.DockerAsync("rm", "-f", "imghealth", "nohealth");
        await D.DockerAsync("rmi", "test/healthy:1");
    }
}
