using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Audit;

/// <summary><c>bulwark bench</c> against real daemons: a default one and one whose policy allows risky options.</summary>
public sealed class BenchTests(SharedDaemonFixture def) : IClassFixture<SharedDaemonFixture>
{
    private const string PermissiveConfig = """{"policy": {"allow-privileged": true, "allow-host-namespaces": true, "seccomp-unconfined-allowed": true}}""";

    private static async Task<(JsonElement Root, List<JsonElement> Findings)> BenchJsonAsync(DaemonInstance d)
    {
        var r = await d.CliAsync("bench", "--format", "json");
        Assert.True(r.ExitCode == 0, r + "\n" + d.DaemonLog);
        var root = JsonDocument.Parse(r.Stdout).RootElement.Clone();
        return (root, root.GetProperty("findings").EnumerateArray().ToList());
    }

    private static string Result(List<JsonElement> findings, string id, string? target = null) =>
        findings.Single(f => f.GetProperty("id").GetString() == id && (target is null || f.GetProperty("target").GetString() == target))
            .GetProperty("result").GetString()!;

    [Fact]
    public async Task Bench_DefaultDaemonAndContainer_PassesRuntimeControls()
    {
        var run = await def.Daemon.CliAsync("run", "-d", "--name", "bench-default", SharedDaemonFixture.Image, "sleep", "60");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var (root, findings) = await BenchJsonAsync(def.Daemon);

            Assert.StartsWith("bulwarkd (pid ", root.GetProperty("daemon").GetString(), StringComparison.Ordinal);
            foreach (var id in new[] { "5.4", "5.5", "5.10", "5.16", "5.17", "5.21", "5.22", "5.26", "5.29", "5.31", "5.32" })
            {
                Assert.True(Result(findings, id, "bench-default") == "PASS", $"{id}: {findings.First(f => f.GetProperty("id").GetString() == id)}");
            }

            foreach (var id in new[] { "2.9", "2.14", "2.17", "3.15", "3.16" })
            {
                Assert.True(Result(findings, id) == "PASS", $"{id}: {findings.First(f => f.GetProperty("id").GetString() == id)}");
            }

            Assert.Equal("WARN", Result(findings, "4.1", "bench-default")); // the busybox image runs as root
            Assert.Equal("WARN", Result(findings, "5.11", "bench-default")); // no memory limit was asked for
        }
        finally
        {
            await def.Daemon.CliAsync("rm", "-f", "bench-default");
        }
    }

    [Fact]
    public async Task Bench_RiskyContainer_WarnsNamingIt()
    {
        await using var d = await DaemonInstance.StartAsync(PermissiveConfig);
        string tar = BusyboxImage.BuildRootfsTar(Path.Combine(d.Root, "image"));
        Assert.Equal(0, (await d.CliAsync("import", tar, "t/bb:1")).ExitCode);
        var run = await d.CliAsync("run", "-d", "--name", "bench-risky", "--privileged", "--pid", "host", "--security-opt", "seccomp=unconfined", "t/bb:1", "sleep", "60");
        Assert.True(run.ExitCode == 0, run + "\n" + d.DaemonLog);
        try
        {
            var (_, findings) = await BenchJsonAsync(d);

            Assert.Equal("WARN", Result(findings, "5.5", "bench-risky"));
            Assert.Equal("WARN", Result(findings, "5.16", "bench-risky"));
            Assert.Equal("WARN", Result(findings, "5.22", "bench-risky"));
        }
        finally
        {
            await d.CliAsync("rm", "-f", "bench-risky");
        }
    }

    [Fact]
    public async Task Bench_Sarif_Version210OneResultPerFinding()
    {
        var json = await BenchJsonAsync(def.Daemon);
        var r = await def.Daemon.CliAsync("bench", "--format", "sarif");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.Equal("2.1.0", doc.RootElement.GetProperty("version").GetString());
        var run = doc.RootElement.GetProperty("runs")[0];
        Assert.Equal("bulwark bench", run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString());
        Assert.Equal(json.Findings.Count, run.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Bench_TableAndExitCode_WarnsGate()
    {
        var table = await def.Daemon.CliAsync("bench");
        var gated = await def.Daemon.CliAsync("bench", "--exit-code", "4");
        var bad = await def.Daemon.CliAsync("bench", "--format", "yaml");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"PASS\s+2\.9\s", table.Stdout);
        Assert.Matches(@"\d+ PASS, \d+ WARN, \d+ INFO, \d+ NOTE", table.Stdout);
        Assert.Equal(4, gated.ExitCode); // a default daemon still has WARN controls (e.g. 2.15 live restore)
        Assert.Equal(125, bad.ExitCode);
    }
}
