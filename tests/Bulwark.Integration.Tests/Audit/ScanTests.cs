using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Audit;

/// <summary><c>bulwark scan</c> against a real daemon: the image is read over the API (GET /images/get) and matched offline.</summary>
public sealed class ScanTests(ScanFixture fx) : IClassFixture<ScanFixture>, IDisposable
{
    private readonly string _db = Directory.CreateTempSubdirectory("bulwark-scan-db-").FullName;

    public void Dispose() => Directory.Delete(_db, recursive: true);

    private Task<CommandResult> Cli(params string[] args) => fx.Daemon.CliAsync([.. args, "--db", _db]);

    private async Task ImportDatabaseAsync()
    {
        var r = await Cli("scan", "db", "import", fx.OsvZip);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Imported 3 records", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_DebianImage_JsonFindsSourcePackageVulnerabilityWithFix()
    {
        await ImportDatabaseAsync();

        var r = await Cli("scan", "--format", "json", ScanFixture.DebianImage);

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var result = doc.RootElement.GetProperty("Results")[0];
        Assert.Equal("debian", result.GetProperty("Type").GetString());
        Assert.Equal(2, result.GetProperty("Packages").GetArrayLength());
        var vuln = Assert.Single(result.GetProperty("Vulnerabilities").EnumerateArray());
        Assert.Equal("DSA-9001-1", vuln.GetProperty("VulnerabilityID").GetString());
        Assert.Equal("libssl3", vuln.GetProperty("PkgName").GetString());
        Assert.Equal("3.0.11-1~deb12u2", vuln.GetProperty("FixedVersion").GetString());
        Assert.Equal("CRITICAL", vuln.GetProperty("Severity").GetString());
    }

    [Fact]
    public async Task Scan_AlpineImage_TableLikeTrivy()
    {
        await ImportDatabaseAsync();

        var r = await Cli("scan", ScanFixture.AlpineImage);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("test/scan-alpine:1 (alpine 3.18.4) (alpine)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Total: 1 (UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 0)", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"busybox\s+ALPINE-CVE-2026-0002\s+MEDIUM\s+1\.36\.1-r5\s+1\.36\.1-r6", r.Stdout);
    }

    [Theory]
    [InlineData("CRITICAL", 3)]
    [InlineData("HIGH,CRITICAL", 3)]
    [InlineData("LOW,MEDIUM,HIGH", 0)]
    public async Task Scan_ExitCodeAndSeverity_GateOnReportedFindings(string severity, int expected)
    {
        await ImportDatabaseAsync();

        var r = await Cli("scan", "--exit-code", "3", "--severity", severity, "--format", "json", ScanFixture.DebianImage);

        Assert.True(r.ExitCode == expected, r.ToString());
    }

    [Fact]
    public async Task Scan_CycloneDxAndSpdx_ListPackagesWithPurls()
    {
        await ImportDatabaseAsync();

        var cdx = await Cli("scan", "--format", "cyclonedx", ScanFixture.DebianImage);
        var spdx = await Cli("scan", "--format", "spdx", ScanFixture.DebianImage);

        Assert.True(cdx.ExitCode == 0, cdx.ToString());
        using var bom = JsonDocument.Parse(cdx.Stdout);
        Assert.Equal("CycloneDX", bom.RootElement.GetProperty("bomFormat").GetString());
        Assert.Equal("1.5", bom.RootElement.GetProperty("specVersion").GetString());
        var purls = bom.RootElement.GetProperty("components").EnumerateArray().Where(c => c.TryGetProperty("purl", out _)).Select(c => c.GetProperty("purl").GetString()).ToList();
        Assert.Contains("pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl", purls);
        Assert.Equal("DSA-9001-1", Assert.Single(bom.RootElement.GetProperty("vulnerabilities").EnumerateArray()).GetProperty("id").GetString());

        Assert.True(spdx.ExitCode == 0, spdx.ToString());
        using var doc = JsonDocument.Parse(spdx.Stdout);
        Assert.Equal("SPDX-2.3", doc.RootElement.GetProperty("spdxVersion").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("packages").GetArrayLength());
    }

    /// <summary>
    /// The docker CLI here is built in GOPATH mode (its build info has a path line and no module lines), so the real
    /// binary proves the toolchain read; module lines are covered by Audit.Tests BinaryReadersTests.
    /// </summary>
    [Fact]
    public async Task Scan_RealGoBinary_ReportsTheGoVersionTheBinaryReports()
    {
        var own = await ProcessRunner.RunAsync(RepoPaths.DockerCli, ["version", "-f", "{{.Client.GoVersion}}"],
            new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent.sock" });
        string goVersion = own.Stdout.Trim();
        Assert.StartsWith("go1.", goVersion, StringComparison.Ordinal);

        var r = await Cli("scan", "--format", "json", ScanFixture.GoImage);

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var result = doc.RootElement.GetProperty("Results").EnumerateArray().Single(x => x.GetProperty("Target").GetString() == "/usr/bin/docker");
        Assert.Equal("gobinary", result.GetProperty("Type").GetString());
        var stdlib = Assert.Single(result.GetProperty("Packages").EnumerateArray(), p => p.GetProperty("Name").GetString() == "stdlib");
        Assert.Equal(goVersion[2..], stdlib.GetProperty("Version").GetString());
        Assert.Equal("Go", stdlib.GetProperty("Ecosystem").GetString());
    }

    [Fact]
    public async Task Scan_NoDatabase_ListsPackagesAndRefusesExitCodeGate()
    {
        var list = await Cli("scan", ScanFixture.DebianImage);
        var gated = await Cli("scan", "--exit-code", "1", ScanFixture.DebianImage);

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"libssl3\s+3\.0\.11-1~deb12u1\s+openssl", list.Stdout);
        Assert.Contains("no vulnerability database", list.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, gated.ExitCode);
        Assert.Contains("no vulnerability database", gated.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanDbImport_MalformedFile_ExitsOneNamingItAndWritesNothing()
    {
        string bad = Path.Combine(_db, "..", Path.GetFileName(_db) + "-bad.json");
        await File.WriteAllTextAsync(bad, "{\"summary\": \"no id here\"}");
        string db = Path.Combine(_db, "fresh");
        try
        {
            var r = await fx.Daemon.CliAsync("scan", "db", "import", bad, "--db", db);

            Assert.Equal(1, r.ExitCode);
            Assert.Contains(Path.GetFileName(bad), r.Stderr, StringComparison.Ordinal);
            Assert.Contains("no \"id\"", r.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(db));
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task Scan_BadInput_DockerLikeErrors()
    {
        var missing = await Cli("scan", "test/no-such-image:1");
        var format = await Cli("scan", "--format", "xml", ScanFixture.DebianImage);
        var severity = await Cli("scan", "--severity", "SEVERE", ScanFixture.DebianImage);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Error response from daemon", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("no-such-image", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(125, format.ExitCode);
        Assert.Contains("--format", format.Stderr, StringComparison.Ordinal);
        Assert.Equal(125, severity.ExitCode);
        Assert.Contains("SEVERE", severity.Stderr, StringComparison.Ordinal);
    }
}
