using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Audit;

/// <summary>
/// A daemon with <c>"policy": {"scan": {"max-severity": "high", "db": ...}}</c>: the Debian test image has a CRITICAL
/// finding (openssl) and is refused; the Alpine one has a MEDIUM finding and runs.
/// </summary>
public sealed class ScanPolicyFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine("/tmp", "bwt-" + Guid.NewGuid().ToString("N")[..8]);

    public string Db => Path.Combine(Root, "osv-db");

    public DaemonInstance Daemon { get; private set; } = null!;

    public static string PolicyJson(string maxSeverity, string db) =>
        "{\"policy\": {\"scan\": {\"max-severity\": \"" + maxSeverity + "\", \"db\": \"" + db + "\"}}}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        await ImportRecordsAsync(("DSA-9001-1.json", OsvRecords.DebianOpenssl), ("ALPINE-CVE-2026-0002.json", OsvRecords.AlpineBusybox));
        Daemon = await DaemonInstance.StartAsync(PolicyJson("high", Db), root: Path.Combine(Root, "d"));
        await ScanImageBuilder.ImportAsync(Daemon, ScanFixture.DebianImage, "debian", new Dictionary<string, string>
        {
            ["etc/os-release"] = "ID=debian\nVERSION_ID=\"12\"\n",
            ["var/lib/dpkg/status"] = "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n\n",
        });
        await ScanImageBuilder.ImportAsync(Daemon, ScanFixture.AlpineImage, "alpine", new Dictionary<string, string>
        {
            ["etc/os-release"] = "ID=alpine\nVERSION_ID=3.18.4\n",
            ["lib/apk/db/installed"] = "P:busybox\nV:1.36.1-r5\nA:x86_64\no:busybox\n\n",
        });
    }

    /// <summary>Imports OSV records into <see cref="Db"/> with <c>bulwark scan db import ZIP --db</c> (no daemon involved).</summary>
    public async Task ImportRecordsAsync(params (string Name, string Json)[] records)
    {
        string zipPath = Path.Combine(Root, "osv-" + Guid.NewGuid().ToString("N")[..8] + ".zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            foreach (var (name, json) in records)
            {
                await using var entry = zip.CreateEntry(name).Open();
                await entry.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json));
            }
        }

        var r = await ProcessRunner.RunAsync(RepoPaths.Cli, ["scan", "db", "import", zipPath, "--db", Db]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}

public sealed class ScanPolicyTests(ScanPolicyFixture fx) : IClassFixture<ScanPolicyFixture>
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerRun_ImageWithCriticalFinding_IsRefusedAt125NamingImageFindingAndRule()
    {
        string name = "scan-refused-" + Guid.NewGuid().ToString("N")[..6];
        var run = await D.DockerAsync("run", "--rm", "--name", name, ScanFixture.DebianImage, "true");

        Assert.True(run.ExitCode == 125, run + "\n" + D.DaemonLog);
        Assert.Contains($"image {ScanFixture.DebianImage} has DSA-9001-1 in libssl3 3.0.11-1~deb12u1 (severity critical), above the allowed maximum high",
            run.Stderr, StringComparison.Ordinal);
        Assert.Contains("rule policy.scan.max-severity", run.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await D.DockerAsync("inspect", name)).ExitCode); // nothing was created
    }

    [Fact]
    public async Task BulwarkRun_ImageWithCriticalFinding_IsRefusedWithTheSameMessage()
    {
        var run = await D.CliAsync("run", "--rm", ScanFixture.DebianImage, "true");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("has DSA-9001-1 in libssl3", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("policy.scan.max-severity", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ImageWithOnlyFindingsAtOrBelowThreshold_Runs()
    {
        var docker = await D.DockerAsync("run", "--rm", ScanFixture.AlpineImage, "echo", "admitted");
        var ours = await D.CliAsync("run", "--rm", ScanFixture.AlpineImage, "echo", "admitted");

        Assert.True(docker.ExitCode == 0, docker + "\n" + D.DaemonLog);
        Assert.Equal("admitted", docker.Stdout.Trim());
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal("admitted", ours.Stdout.Trim());
    }

    [Fact]
    public async Task Refusal_IsRecordedAsImageEventAndAuditEntry()
    {
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var run = await D.DockerAsync("create", ScanFixture.DebianImage, "true");
        Assert.NotEqual(0, run.ExitCode);
        string until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture);

        var events = await D.DockerAsync("events", "--since", since, "--until", until, "--filter", "type=image", "--format", "{{json .}}");
        var refused = events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .First(e => e.GetProperty("Action").GetString() == "scan-refused");
        var attributes = refused.GetProperty("Actor").GetProperty("Attributes");
        Assert.Equal("DSA-9001-1", attributes.GetProperty("vulnerability").GetString());
        Assert.Equal("libssl3", attributes.GetProperty("package").GetString());
        Assert.Equal("critical", attributes.GetProperty("severity").GetString());
        Assert.Equal("create", attributes.GetProperty("operation").GetString());
        Assert.Equal("policy.scan.max-severity", attributes.GetProperty("rule").GetString());

        var audit = await D.CliAsync("audit", "ls", "--action", "container.create", "--format", "json");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        Assert.Contains(audit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement),
            e => e.TryGetProperty("status", out var status) && status.GetInt32() == 403);
    }

    [Fact]
    public async Task Start_AfterDatabaseImportMakesTheImageVulnerable_IsRefused()
    {
        var create = await D.DockerAsync("create", ScanFixture.AlpineImage, "true");
        Assert.True(create.ExitCode == 0, create + "\n" + D.DaemonLog);
        string id = create.Stdout.Trim();
        try
        {
            await fx.ImportRecordsAsync(("ALPINE-CVE-2026-0099.json", """
                {"id": "ALPINE-CVE-2026-0099", "summary": "busybox: remote code execution", "database_specific": {"severity": "CRITICAL"},
                 "affected": [{"package": {"ecosystem": "Alpine:v3.18", "name": "busybox"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.36.1-r9"}]}]}]}
                """));

            var start = await D.DockerAsync("start", id);

            Assert.NotEqual(0, start.ExitCode);
            Assert.Contains("has ALPINE-CVE-2026-0099 in busybox 1.36.1-r5 (severity critical)", start.Stderr, StringComparison.Ordinal);
            Assert.Contains("rule policy.scan.max-severity", start.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", id);
        }
    }
}

/// <summary>Configuration errors of <c>policy.scan</c> stop the daemon before it listens, naming the key.</summary>
public sealed class ScanPolicyConfigTests
{
    [Theory]
    [InlineData("""{"policy": {"scan": {"max-severity": "severe", "db": "/tmp"}}}""", "policy \"scan.max-severity\": \"severe\" is not one of low, medium, high, critical")]
    [InlineData("""{"policy": {"scan": {"max-severity": "high"}}}""", "policy \"scan.db\" is required")]
    [InlineData("""{"policy": {"scan": {"max-severity": "high", "db": "relative/db"}}}""", "policy \"scan.db\": \"relative/db\" is not an absolute path")]
    [InlineData("""{"policy": {"scan": {"max-severity": "high", "db": "/tmp", "mode": "warn"}}}""", "unknown policy key \"scan.mode\"")]
    [InlineData("""{"policy": {"scan": {"max-severity": "high", "db": "/nonexistent/osv-db"}}}""", "/nonexistent/osv-db is not an OSV database")]
    public async Task BadScanPolicy_StopsTheDaemonNamingTheKey(string daemonJson, string expected)
    {
        string root = Path.Combine("/tmp", "bwt-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => DaemonInstance.StartAsync(daemonJson, root: root));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Cleanup.RemoveMountsUnder(root);
            Directory.Delete(root, recursive: true);
        }
    }
}
