using Bulwark.Cli.Completion;

namespace Bulwark.Cli.Tests.Completion;

public sealed class CompletionResolverTests
{
    private static async Task<(IReadOnlyList<string> Candidates, List<(NameKind Kind, string? Host)> Asked)> CompleteAsync(params string[] words)
    {
        var asked = new List<(NameKind, string?)>();
        var root = CliApplication.BuildRoot(new CliContext());
        var resolver = new CompletionResolver(root, (kind, host, _) =>
        {
            asked.Add((kind, host));
            IEnumerable<string> names = kind switch
            {
                NameKind.RunningContainer => ["web", "worker"],
                NameKind.Container => ["web", "worker", "stopped"],
                NameKind.Image => ["busybox:1", "nginx:latest"],
                NameKind.Network => ["backend"],
                NameKind.Secret => ["db_password"],
                _ => [],
            };
            return Task.FromResult(names);
        });
        return (await resolver.CompleteAsync(words, CancellationToken.None), asked);
    }

    [Fact]
    public async Task Complete_FirstWord_OffersCommandsButNotHiddenOnes()
    {
        var (candidates, _) = await CompleteAsync("");
        Assert.Contains("exec", candidates);
        Assert.Contains("network", candidates);
        Assert.DoesNotContain("__complete", candidates);
    }

    [Fact]
    public async Task Complete_ExecContainer_AsksForRunningContainers()
    {
        var (candidates, asked) = await CompleteAsync("exec", "-it", "w");
        Assert.Equal(["web", "worker"], candidates);
        Assert.Equal(NameKind.RunningContainer, asked.Single().Kind);
    }

    [Fact]
    public async Task Complete_AfterTheContainer_OffersNothingForTheCommand()
    {
        var (candidates, asked) = await CompleteAsync("exec", "web", "");
        Assert.Empty(candidates);
        Assert.Empty(asked);
    }

    [Fact]
    public async Task Complete_HostFlag_IsPassedToTheDaemonLookup()
    {
        var (_, asked) = await CompleteAsync("-H", "unix:///tmp/x.sock", "rm", "");
        Assert.Equal(("unix:///tmp/x.sock"), asked.Single().Host);
    }

    [Theory]
    [InlineData("run", "--network")]
    [InlineData("exec", "-u")]
    public async Task Complete_FlagValue_LeavesItToTheShell(string command, string flag) =>
        Assert.Empty((await CompleteAsync(command, flag, "")).Candidates);

    [Fact]
    public async Task Complete_Flags_OfTheCommandAndTheRecursiveHost()
    {
        var (candidates, _) = await CompleteAsync("network", "ls", "--");
        Assert.Contains("--format", candidates);
        Assert.Contains("--host", candidates);
    }

    [Fact]
    public async Task Complete_NestedGroups_NetworkThenNames()
    {
        Assert.Equal(["connect", "create"], (await CompleteAsync("network", "c")).Candidates);
        Assert.Equal(["backend"], (await CompleteAsync("network", "rm", "")).Candidates);
        Assert.Equal(["db_password"], (await CompleteAsync("secret", "inspect", "d")).Candidates);
        Assert.Equal(["busybox:1"], (await CompleteAsync("history", "b")).Candidates);
    }
}
