using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary><c>docker update</c> and <c>bulwark update</c>: limits change live in the container's cgroup and persist.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerUpdateTests(SharedDaemonFixture fx)
{
    // cgroup v2 file first, then the v1 hierarchy's.
    private const string ReadLimits =
        "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; " +
        "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max; " +
        "cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us";

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerUpdate_ChangesMemoryCpuPidsLive_InspectAndRestartKeepThem()
    {
        string name = "upd-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = await D.DockerAsync("run", "-d", "--name", name, "--memory", "64m", SharedDaemonFixture.Image, "sleep", "600");
            Assert.True(run.ExitCode == 0, run.ToString());

            var update = await D.DockerAsync("update", "--memory", "96m", "--memory-swap", "192m", "--cpus", "0.5", "--pids-limit", "77",
                "--restart", "on-failure:2", name);
            Assert.True(update.ExitCode == 0, update.ToString());
            Assert.Equal(name, update.Stdout.Trim());

            var live = await D.DockerAsync("exec", name, "sh", "-c", ReadLimits);
            Assert.True(live.ExitCode == 0, live.ToString());
            string[] lines = live.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("100663296", lines[0]);
            Assert.Equal("77", lines[1]);
            Assert.StartsWith("50000", lines[2], StringComparison.Ordinal);

            var inspect = await D.DockerAsync("inspect", "-f",
                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}",
                name);
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.Equal("100663296 201326592 500000000 77 on-failure:2", inspect.Stdout.Trim());

            var restart = await D.DockerAsync("restart", "-t", "0", name);
            Assert.True(restart.ExitCode == 0, restart.ToString());
            var after = await D.DockerAsync("exec", name, "sh", "-c", ReadLimits);
            Assert.True(after.ExitCode == 0, after.ToString());
            Assert.Equal(live.Stdout, after.Stdout);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerUpdate_FieldThatCannotChange_IsRefusedByName_AndNothingChanges()
    {
        string name = "upd-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Assert.Equal(0, (await D.DockerAsync("create", "--name", name, "--memory", "64m", SharedDaemonFixture.Image, "true")).ExitCode);
            var r = await D.DockerAsync("update", "--memory", "128m", "--blkio-weight", "500", name);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("BlkioWeight cannot be updated", r.Stderr, StringComparison.Ordinal);

            var swap = await D.DockerAsync("update", "--memory", "256m", name);
            Assert.NotEqual(0, swap.ExitCode);
            Assert.Contains("Memory limit should be smaller than already set memoryswap limit", swap.Stderr, StringComparison.Ordinal);

            var inspect = await D.DockerAsync("inspect", "-f", "{{.HostConfig.Memory}}", name);
            Assert.Equal("67108864", inspect.Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task BulwarkUpdate_WithDockersFlagNames_ChangesTheRunningContainer()
    {
        string name = "upd-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", name, SharedDaemonFixture.Image, "sleep", "600")).ExitCode);
            var update = await D.CliAsync("update", "-m", "80m", "--cpu-shares", "512", "--pids-limit", "55", name);
            Assert.True(update.ExitCode == 0, update.ToString());
            Assert.Equal(name, update.Stdout.Trim());

            var live = await D.CliAsync("exec", name, "sh", "-c", ReadLimits);
            Assert.True(live.ExitCode == 0, live.ToString());
            string[] lines = live.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("83886080", lines[0]);
            Assert.Equal("55", lines[1]);

            var inspect = await D.CliAsync("inspect", name);
            using var doc = JsonDocument.Parse(inspect.Stdout);
            var hc = doc.RootElement[0].GetProperty("HostConfig");
            Assert.Equal(83886080, hc.GetProperty("Memory").GetInt64());
            Assert.Equal(512, hc.GetProperty("CpuShares").GetInt64());
            Assert.Equal(55, hc.GetProperty("PidsLimit").GetInt64());

            var none = await D.CliAsync("update", name);
            Assert.Equal(1, none.ExitCode);
            Assert.Contains("you must provide one or more flags", none.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", name);
        }
    }
}
