using System.Text.Json;
using Bulwark.Audit.Tests.Sbom;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Audit;

/// <summary>An AlmaLinux 9 image with rpm's SQLite database, scanned by the NativeAOT CLI over the API.</summary>
public sealed class RpmScanTests : IAsyncLifetime
{
    private const string Image = "test/scan-alma:1";
    private DaemonInstance _daemon = null!;
    private string _db = null!;

    public async Task InitializeAsync()
    {
        _daemon = await DaemonInstance.StartAsync();
        _db = Path.Combine(_daemon.Root, "osv-db");
        string rpmdb = Path.Combine(_daemon.Root, "rpmdb.sqlite");
        TestRpmDb.Write(rpmdb,
            new TestRpmDb.Package("openssl-libs", "3.0.7", "24.el9", 1, "x86_64", "openssl-3.0.7-24.el9.src.rpm"),
            new TestRpmDb.Package("bash", "5.1.8", "6.el9_1", null, "x86_64", "bash-5.1.8-6.el9_1.src.rpm"),
            new TestRpmDb.Package("gpg-pubkey", "b86b3716", "61e69f29", null, "(none)", null));
        await ScanImageBuilder.ImportAsync(_daemon, Image, "alma", new Dictionary<string, string>
        {
            ["etc/os-release"] = "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"AlmaLinux 9.3 (Shamrock Pampas Cat)\"\n",
        }, ("var/lib/rpm/rpmdb.sqlite", rpmdb));
        string osv = Path.Combine(_daemon.Root, "alsa.json");
        await File.WriteAllTextAsync(osv, """
            {"id": "ALSA-2026:0001", "summary": "openssl security update", "database_specific": {"severity": "HIGH"},
             "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl"},
                           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]},
                          {"package": {"ecosystem": "AlmaLinux:9", "name": "bash"},
                           "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.1.8-6.el9"}]}]}]}
            """);
        var imported = await _daemon.CliAsync("scan", "db", "import", osv, "--db", _db);
        Assert.True(imported.ExitCode == 0, imported.ToString());
    }

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    [Fact]
    public async Task Scan_AlmaLinuxRpmDatabase_FindsSourcePackageVulnerabilityByRpmVersionOrder()
    {
        var r = await _daemon.CliAsync("scan", "--format", "json", "--db", _db, Image);

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Stdout);
        var result = doc.RootElement.GetProperty("Results")[0];
        Assert.Equal(2, result.GetProperty("Packages").GetArrayLength()); // gpg-pubkey is not a package
        var vuln = Assert.Single(result.GetProperty("Vulnerabilities").EnumerateArray()); // bash 5.1.8-6.el9_1 is past the fix
        Assert.Equal("ALSA-2026:0001", vuln.GetProperty("VulnerabilityID").GetString());
        Assert.Equal("openssl-libs", vuln.GetProperty("PkgName").GetString());
        Assert.Equal("1:3.0.7-24.el9", vuln.GetProperty("InstalledVersion").GetString());
        Assert.Equal("1:3.0.7-25.el9_3", vuln.GetProperty("FixedVersion").GetString());
    }

    [Fact]
    public async Task Sbom_CycloneDx_ListsRpmPurlsWithEpochAndDistro()
    {
        var r = await _daemon.CliAsync("scan", "--format", "cyclonedx", "--db", _db, Image);

        Assert.True(r.ExitCode == 0, r.ToString());
        using var bom = JsonDocument.Parse(r.Stdout);
        var purls = bom.RootElement.GetProperty("components").EnumerateArray().Where(c => c.TryGetProperty("purl", out _)).Select(c => c.GetProperty("purl").GetString()).ToList();
        Assert.Contains("pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=almalinux-9.3&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm", purls);
    }
}
