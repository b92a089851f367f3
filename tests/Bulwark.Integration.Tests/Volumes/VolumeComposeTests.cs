using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Volumes;

/// <summary>docker-compose 1.29 with a named and an anonymous volume: data survives a second `up`, `down -v` removes both.</summary>
[Collection(DaemonCollection.Name)]
public sealed class VolumeComposeTests(SharedDaemonFixture fx)
{
    private const string Project = """
        version: "3.8"
        services:
          app:
            image: test/busybox:1
            network_mode: none
            command: ["sh", "-c", "echo run >> /data/log; wc -l < /data/log; ls -A /cache"]
            volumes:
              - appdata:/data
              - /cache
        volumes:
          appdata:
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task ComposeUp_Twice_KeepsNamedVolumeData_AndDownV_RemovesTheVolumes()
    {
        string project = "bwvol" + Guid.NewGuid().ToString("N")[..6];
        string dir = Path.Combine(D.Root, "compose-" + project);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "docker-compose.yml"), Project);
        var before = await D.VolumeNamesAsync();
        try
        {
            var up1 = await ComposeAsync(dir, "-p", project, "up", "--no-color");
            Assert.True(up1.ExitCode == 0, up1.ToString());
            var up2 = await ComposeAsync(dir, "-p", project, "up", "--no-color", "--force-recreate");
            Assert.True(up2.ExitCode == 0, up2.ToString());
            Assert.Contains("| 2", up2.Stdout, StringComparison.Ordinal); // the second run appended to the first run's file

            var volumes = await D.VolumeNamesAsync();
            Assert.Contains(project + "_appdata", volumes);
            var inspect = VolumeTestSupport.Inspect((await D.OkAsync("volume", "inspect", project + "_appdata")).Stdout);
            Assert.Equal(project, inspect.GetProperty("Labels").GetProperty("com.docker.compose.project").GetString());

            var down = await ComposeAsync(dir, "-p", project, "down", "-v");
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Equal(before.Order(StringComparer.Ordinal), (await D.VolumeNamesAsync()).Order(StringComparer.Ordinal));
        }
        finally
        {
            await ComposeAsync(dir, "-p", project, "down", "-v");
            await D.DockerAsync("volume", "rm", "-f", project + "_appdata");
        }
    }

    private Task<CommandResult> ComposeAsync(string projectDir, params string[] args) =>
        ProcessRunner.RunAsync("/usr/bin/docker-compose", ["--project-directory", projectDir, "-f", Path.Combine(projectDir, "docker-compose.yml"), .. args],
            new Dictionary<string, string>
            {
                ["DOCKER_HOST"] = D.Host,
                ["DOCKER_CONFIG"] = Path.Combine(D.Root, "docker-config"),
                ["COMPOSE_INTERACTIVE_NO_CLI"] = "1",
            },
            timeout: TimeSpan.FromSeconds(120));
}
