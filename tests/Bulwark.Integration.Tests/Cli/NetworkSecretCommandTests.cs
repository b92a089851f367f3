using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Cli;

/// <summary><c>network</c> and <c>secret</c> commands with our CLI.</summary>
[Collection(DaemonCollection.Name)]
public sealed class NetworkSecretCommandTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task Network_CreateLsInspectConnectDisconnectRm()
    {
        var create = await D.CliAsync("network", "create", "--subnet", "10.213.7.0/24", "--label", "day=1", "day-net");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal(64, create.Stdout.Trim().Length);
        Assert.Equal(0, (await D.CliAsync("network", "create", "day-hnet")).ExitCode);
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-net-c", "--network", "day-hnet", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            var ls = await D.CliAsync("network", "ls", "--filter", "name=day-net", "--format", "{{.Name}} {{.Driver}} {{.Labels}}");
            Assert.Equal("day-net bridge day=1\n", ls.Stdout);
            Assert.Equal((await D.DockerAsync("network", "ls", "--filter", "name=day-net", "--format", "{{.Name}} {{.Driver}} {{.Labels}}")).Stdout,
                ls.Stdout);
            var table = await D.CliAsync("network", "ls");
            Assert.StartsWith("NETWORK ID", table.Stdout, StringComparison.Ordinal);
            Assert.Contains("day-net", table.Stdout, StringComparison.Ordinal);
            var quiet = await D.CliAsync("network", "ls", "-q", "--filter", "name=day-net");
            Assert.Equal(create.Stdout.Trim()[..12] + "\n", quiet.Stdout);
            var subnet = await D.CliAsync("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "day-net");
            Assert.Equal("10.213.7.0/24\n", subnet.Stdout);

            var connect = await D.CliAsync("network", "connect", "--ip", "10.213.7.50", "day-net", "day-net-c");
            Assert.True(connect.ExitCode == 0, connect.ToString());
            var addr = await D.CliAsync("exec", "day-net-c", "ip", "-4", "-o", "addr");
            Assert.Contains("10.213.7.50", addr.Stdout, StringComparison.Ordinal);
            var members = await D.CliAsync("network", "inspect", "-f", "{{range $id, $c := .Containers}}{{$c.Name}} {{end}}", "day-net");
            Assert.Equal("day-net-c \n", members.Stdout);

            Assert.Equal(0, (await D.CliAsync("network", "disconnect", "day-net", "day-net-c")).ExitCode);
            Assert.DoesNotContain("10.213.7.50", (await D.CliAsync("exec", "day-net-c", "ip", "-4", "-o", "addr")).Stdout, StringComparison.Ordinal);
            var rm = await D.CliAsync("network", "rm", "day-net");
            Assert.Equal("day-net\n", rm.Stdout);
            Assert.NotEqual(0, (await D.CliAsync("network", "inspect", "day-net")).ExitCode);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-net-c");
            await D.CliAsync("network", "rm", "day-net");
            await D.CliAsync("network", "rm", "day-hnet");
        }
    }

    [Fact]
    public async Task NetworkPrune_RemovesOnlyUnusedNetworks()
    {
        Assert.Equal(0, (await D.CliAsync("network", "create", "day-unused")).ExitCode);
        var refused = await D.CliAsync("network", "prune");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        var r = await D.CliAsync("network", "prune", "-f");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("day-unused", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("host", (await D.CliAsync("network", "ls", "--format", "{{.Name}}")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkCreate_BadSubnet_FailsAndLeavesNoNetwork()
    {
        var r = await D.CliAsync("network", "create", "--subnet", "10.0.0.0/99", "day-badnet");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("10.0.0.0/99", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await D.CliAsync("network", "ls", "-q", "--filter", "name=day-badnet")).Stdout);
    }

    [Fact]
    public async Task Secret_CreateFromStdinLsInspectRm_NeverShowsTheData()
    {
        var create = await D.CliWithInputAsync("s3cret-value", "secret", "create", "--label", "env=test", "day-secret", "-");
        Assert.True(create.ExitCode == 0, create.ToString());
        var id = create.Stdout.Trim();
        try
        {
            var ls = await D.CliAsync("secret", "ls", "--format", "{{.Name}} {{.Labels}}");
            Assert.Contains("day-secret env=test\n", ls.Stdout, StringComparison.Ordinal);
            Assert.Equal((await D.DockerAsync("secret", "ls", "--format", "{{.Name}} {{.Labels}}")).Stdout, ls.Stdout);
            Assert.Contains(id + "\n", (await D.CliAsync("secret", "ls", "-q")).Stdout, StringComparison.Ordinal);
            var table = await D.CliAsync("secret", "ls", "--filter", "name=day-secret");
            Assert.StartsWith("ID", table.Stdout, StringComparison.Ordinal);
            Assert.Contains("day-secret", table.Stdout, StringComparison.Ordinal);
            var inspect = await D.CliAsync("secret", "inspect", "day-secret");
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.DoesNotContain("s3cret-value", inspect.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String("s3cret-value"u8.ToArray()), inspect.Stdout, StringComparison.Ordinal);
            Assert.Equal("day-secret\n", (await D.CliAsync("secret", "inspect", "-f", "{{.Spec.Name}}", id)).Stdout);
            Assert.Equal("day-secret\n", (await D.CliAsync("secret", "rm", "day-secret")).Stdout);
            Assert.NotEqual(0, (await D.CliAsync("secret", "inspect", "day-secret")).ExitCode);
        }
        finally
        {
            await D.CliAsync("secret", "rm", "day-secret");
        }
    }

    [Fact]
    public async Task SecretCreate_EmptyInput_IsRefusedAndCreatesNothing()
    {
        var r = await D.CliWithInputAsync("", "secret", "create", "day-empty-secret", "-");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("empty", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("day-empty-secret", (await D.CliAsync("secret", "ls")).Stdout, StringComparison.Ordinal);
    }
}
