using Bulwark.Integration.Tests.Fixtures;
using Bulwark.Integration.Tests.Registry;

namespace Bulwark.Integration.Tests.Cli;

/// <summary>On a real terminal (script(1)) pull and save draw Spectre.Console bars; piped they print plain lines.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ProgressBarTests(RegistryFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private Task<CommandResult> OnATerminalAsync(string commandLine) =>
        ProcessRunner.RunAsync("script", ["-qec", $"stty cols 120; '{RepoPaths.Cli}' {commandLine}", "/dev/null"],
            new Dictionary<string, string> { ["BULWARK_HOST"] = D.Host, ["TERM"] = "xterm" });

    [Fact]
    public async Task Pull_OnATerminal_DrawsABarPerLayer_AndPipedPrintsPlainLines()
    {
        var name = $"{fx.Registry.Host}/ns/bars";
        var dir = Path.Combine(D.Root, "bars-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var tar = Path.Combine(dir, "rootfs.tar");
        File.Copy(fx.RootfsTar, tar);
        await File.WriteAllTextAsync(Path.Combine(dir, "marker"), Guid.NewGuid().ToString("N"));
        Assert.Equal(0, (await ProcessRunner.RunAsync("tar", ["-rf", tar, "-C", dir, "marker"])).ExitCode);
        Assert.Equal(0, (await D.CliAsync("import", tar, name + ":1")).ExitCode);
        try
        {
            var push = await D.CliAsync("push", name + ":1");
            Assert.True(push.ExitCode == 0, push.ToString());
            Assert.DoesNotContain("\u001b[", push.Stdout, StringComparison.Ordinal);
            Assert.Equal(0, (await D.CliAsync("rmi", name + ":1")).ExitCode);

            var pull = await OnATerminalAsync($"pull {name}:1");
            Assert.True(pull.ExitCode == 0, pull.ToString());
            Assert.Contains("\u001b[", pull.Stdout, StringComparison.Ordinal);
            Assert.Contains("Pull complete", pull.Stdout, StringComparison.Ordinal);
            Assert.Contains("100%", pull.Stdout, StringComparison.Ordinal);
            Assert.Contains($"Status: Downloaded newer image for {name}:1", pull.Stdout, StringComparison.Ordinal);

            var save = await OnATerminalAsync($"save -o '{Path.Combine(dir, "saved.tar")}' {name}:1");
            Assert.True(save.ExitCode == 0, save.ToString());
            Assert.Contains("Saving", save.Stdout, StringComparison.Ordinal);
            Assert.True(new FileInfo(Path.Combine(dir, "saved.tar")).Length > 0);
        }
        finally
        {
            await D.CliAsync("rmi", "-f", name + ":1");
            Directory.Delete(dir, recursive: true);
        }
    }
}
