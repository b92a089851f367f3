using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Cli;

/// <summary>--format templates as the docker CLI renders them, help examples, and shell completion with daemon names.</summary>
[Collection(DaemonCollection.Name)]
public sealed class FormatAndCompletionTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task PsFormat_TableJsonRangeAndIf_RenderLikeTheDockerCli()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-fmt", "--label", "tier=web", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            string[] args = ["ps", "--filter", "name=day-fmt", "--format"];
            var table = await D.CliAsync([.. args, "table {{.Names}}\t{{.State}}"]);
            var dockerTable = await D.DockerAsync([.. args, "table {{.Names}}\t{{.State}}"]);
            Assert.Equal(dockerTable.Stdout, table.Stdout);
            Assert.StartsWith("NAMES", table.Stdout, StringComparison.Ordinal);

            var conditional = "{{if eq .State \"running\"}}up{{else}}down{{end}} {{.Labels}}";
            Assert.Equal("up tier=web\n", (await D.CliAsync([.. args, conditional])).Stdout);
            Assert.Equal((await D.DockerAsync([.. args, conditional])).Stdout, (await D.CliAsync([.. args, conditional])).Stdout);

            var json = await D.CliAsync([.. args, "json"]);
            using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
            Assert.Equal("day-fmt", doc.RootElement.GetProperty("Names").GetString());

            var range = await D.CliAsync("inspect", "-f", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "day-fmt");
            Assert.Equal("tier=web;\n", range.Stdout);
            Assert.Equal((await D.DockerAsync("inspect", "-f", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "day-fmt")).Stdout, range.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-fmt");
        }
    }

    [Fact]
    public async Task ImagesAndVolumeFormat_MatchTheDockerCli()
    {
        Assert.Equal(0, (await D.CliAsync("volume", "create", "--label", "k=v", "day-fmt-vol")).ExitCode);
        try
        {
            var images = "{{.Repository}}:{{.Tag}} {{.ID}}";
            Assert.Equal((await D.DockerAsync("images", "--format", images)).Stdout, (await D.CliAsync("images", "--format", images)).Stdout);
            var volumes = "{{.Name}} {{.Driver}} {{.Labels}}";
            var ours = await D.CliAsync("volume", "ls", "--filter", "name=day-fmt-vol", "--format", volumes);
            Assert.Equal("day-fmt-vol local k=v\n", ours.Stdout);
            Assert.Equal((await D.DockerAsync("volume", "ls", "--filter", "name=day-fmt-vol", "--format", volumes)).Stdout, ours.Stdout);
        }
        finally
        {
            await D.CliAsync("volume", "rm", "day-fmt-vol");
        }
    }

    [Fact]
    public async Task Ps_OnANarrowTerminal_FitsTheWindowAndPipedKeepsWholeValues()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-a-container-with-a-long-name", SharedDaemonFixture.Image,
            "sh", "-c", "while true; do sleep 1; done")).ExitCode);
        try
        {
            // script(1) gives the CLI a terminal 100 columns wide (docker's ps table needs about 150 here).
            var r = await ProcessRunner.RunAsync("script", ["-qec", $"stty cols 100; '{RepoPaths.Cli}' ps", "/dev/null"],
                new Dictionary<string, string> { ["BULWARK_HOST"] = D.Host, ["TERM"] = "xterm" });
            Assert.True(r.ExitCode == 0, r.ToString());
            var text = System.Text.RegularExpressions.Regex.Replace(r.Stdout, @"\x1b(\[[0-9;?]*[A-Za-z]|=)", "").Replace("\r", "", StringComparison.Ordinal);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith("CONTAINER ID", StringComparison.Ordinal));
            Assert.All(lines, l => Assert.True(l.Length <= 100, $"{l.Length} columns: {l}"));
            Assert.Contains(lines, l => l.Contains('…', StringComparison.Ordinal));
            Assert.Contains("day-a-container-with-a-long-name", (await D.CliAsync("ps")).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-a-container-with-a-long-name");
        }
    }

    [Fact]
    public async Task Format_BadTemplate_Exits1NamingTheProblem()
    {
        var r = await D.CliAsync("ps", "--format", "{{if .Names}}no end");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("template", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("end", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ShowsExamples()
    {
        var root = await D.CliAsync("--help");
        Assert.Contains("Examples:", root.Stdout, StringComparison.Ordinal);
        var exec = await D.CliAsync("exec", "--help");
        Assert.Contains("Examples:", exec.Stdout, StringComparison.Ordinal);
        Assert.Contains("bulwark exec -it web sh", exec.Stdout, StringComparison.Ordinal);
        var nested = await D.CliAsync("network", "create", "--help");
        Assert.Contains("bulwark network create --subnet", nested.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BashCompletion_OffersCommandsFlagsAndContainerNamesFromTheDaemon()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-complete-me", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            var script = await D.CliAsync("completion", "bash");
            Assert.True(script.ExitCode == 0, script.ToString());
            var file = Path.Combine(D.Root, "bulwark-completion.bash");
            File.WriteAllText(file, script.Stdout);
            async Task<string[]> CompleteAsync(params string[] words)
            {
                var quoted = string.Join(' ', words.Select(w => "'" + w + "'"));
                var r = await ProcessRunner.RunAsync("bash", ["-c",
                    $"source '{file}'; COMP_WORDS=(bulwark {quoted}); COMP_CWORD={words.Length}; _bulwark; printf '%s\\n' \"${{COMPREPLY[@]}}\""],
                    new Dictionary<string, string>
                    {
                        ["PATH"] = Path.GetDirectoryName(RepoPaths.Cli) + ":" + Environment.GetEnvironmentVariable("PATH"),
                        ["BULWARK_HOST"] = D.Host,
                    });
                Assert.True(r.ExitCode == 0, r.ToString());
                return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }

            Assert.Equal(["exec", "export"], await CompleteAsync("ex"));
            Assert.Contains("day-complete-me", await CompleteAsync("exec", "day-comp"));
            Assert.Contains("--interactive", await CompleteAsync("exec", "--inter"));
            Assert.Contains(SharedDaemonFixture.Image, await CompleteAsync("run", "test/"));
            Assert.Equal(["create"], await CompleteAsync("network", "cr"));
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-complete-me");
        }
    }

    [Fact]
    public async Task ZshCompletion_IsACompdefScriptThatAsksBulwark()
    {
        var r = await D.CliAsync("completion", "zsh");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("#compdef bulwark", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("bulwark __complete --", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(125, (await D.CliAsync("completion", "fish")).ExitCode);
    }
}
