using Bulwark.Audit.Osv;
using Bulwark.Audit.Sbom;
using Bulwark.Audit.Vulnerabilities;

namespace Bulwark.Audit.Tests.Sbom;

public sealed class RpmDatabaseReaderTests
{
    private static readonly OsRelease Alma9 = OsRelease.Parse("ID=\"almalinux\"\nVERSION_ID=\"9.3\"\nPRETTY_NAME=\"AlmaLinux 9.3 (Shamrock Pampas Cat)\"\n")!;

    private static readonly TestRpmDb.Package OpensslLibs = new("openssl-libs", "3.0.7", "24.el9", 1, "x86_64", "openssl-3.0.7-24.el9.src.rpm");
    private static readonly TestRpmDb.Package Bash = new("bash", "5.1.8", "6.el9_1", null, "x86_64", "bash-5.1.8-6.el9_1.src.rpm");
    private static readonly TestRpmDb.Package GpgKey = new("gpg-pubkey", "b86b3716", "61e69f29", null, "(none)", null);

    [Fact]
    public void Read_SqliteDatabase_PackagesWithEpochVersionReleaseArchAndSourceName()
    {
        var packages = RpmDatabaseReader.Read(TestRpmDb.Bytes(OpensslLibs, Bash, GpgKey), null, "/var/lib/rpm/rpmdb.sqlite", Alma9);

        Assert.Equal(2, packages.Count); // gpg-pubkey is not a package
        var ssl = packages[0];
        Assert.Equal(("openssl-libs", "1:3.0.7-24.el9", PackageKind.Rpm, "x86_64"), (ssl.Name, ssl.Version, ssl.Kind, ssl.Architecture));
        Assert.Equal(("AlmaLinux:9", "openssl", "1:3.0.7-24.el9"), (ssl.Ecosystem, ssl.MatchName, ssl.MatchVersion));
        Assert.Equal("pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=almalinux-9.3&epoch=1&upstream=openssl-3.0.7-24.el9.src.rpm", ssl.Purl);
        Assert.Equal(("bash", "5.1.8-6.el9_1", "bash"), (packages[1].Name, packages[1].Version, packages[1].MatchName));
    }

    [Fact]
    public void Read_RedHat_MatchesBinaryPackageNamesUnderTheEnterpriseLinuxCpe()
    {
        var rhel = OsRelease.Parse("ID=\"rhel\"\nVERSION_ID=\"9.3\"\n")!;

        var ssl = RpmDatabaseReader.Read(TestRpmDb.Bytes(OpensslLibs), null, "/var/lib/rpm/rpmdb.sqlite", rhel)[0];

        Assert.Equal(("Red Hat:enterprise_linux:9", "openssl-libs"), (ssl.Ecosystem, ssl.MatchName));
    }

    [Theory]
    [InlineData("ID=\"rocky\"\nVERSION_ID=\"9.3\"\n", "Rocky Linux:9")]
    [InlineData("ID=\"opensuse-leap\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"openSUSE Leap 15.5\"\n", "openSUSE:Leap 15.5")]
    [InlineData("ID=\"sles\"\nVERSION_ID=\"15.5\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP5\"\n", "SUSE:Linux Enterprise Server 15 SP5")]
    [InlineData("ID=fedora\nVERSION_ID=39\n", "")]
    public void OsRelease_RpmDistributions_OsvEcosystem(string osRelease, string expected) =>
        Assert.Equal(expected, OsRelease.Parse(osRelease)!.OsvEcosystem);

    [Fact]
    public void Read_TruncatedHeaderBlob_ClearError()
    {
        var blob = TestRpmDb.Header(Bash);
        var ex = Assert.Throws<AuditException>(() => RpmHeader.Parse(blob.AsSpan(0, blob.Length - 5)));
        Assert.Contains("rpm header blob claims", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotSqlite_ClearErrorNamingTheFile()
    {
        var ex = Assert.Throws<AuditException>(() => RpmDatabaseReader.Read("not a database at all, just text"u8.ToArray(), null, "/var/lib/rpm/rpmdb.sqlite", Alma9));
        Assert.Contains("/var/lib/rpm/rpmdb.sqlite is not a readable rpm SQLite database", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Match_AlmaLinuxSourcePackageBeforeFix_IsFound()
    {
        string dir = Directory.CreateTempSubdirectory("bulwark-rpm-match-").FullName;
        try
        {
            string file = Path.Combine(dir, "alsa.json");
            await File.WriteAllTextAsync(file, """
                {"id": "ALSA-2026:0001", "summary": "openssl security update", "database_specific": {"severity": "HIGH"},
                 "affected": [{"package": {"ecosystem": "AlmaLinux:9", "name": "openssl"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:3.0.7-25.el9_3"}]}]},
                              {"package": {"ecosystem": "AlmaLinux:9", "name": "bash"},
                               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.1.8-6.el9"}]}]}]}
                """);
            var db = new OsvDatabase(Path.Combine(dir, "db"));
            await db.ImportAsync(file, CancellationToken.None);
            var packages = RpmDatabaseReader.Read(TestRpmDb.Bytes(OpensslLibs, Bash), null, "/var/lib/rpm/rpmdb.sqlite", Alma9);

            var findings = VulnerabilityMatcher.Match(new SoftwareBill("img", "sha256:1", Alma9, packages), db);

            var f = Assert.Single(findings); // bash 5.1.8-6.el9_1 is newer than the fix 5.1.8-6.el9
            Assert.Equal(("ALSA-2026:0001", "openssl-libs", "1:3.0.7-25.el9_3", Severity.High), (f.Id, f.Package.Name, f.FixedVersion, f.Severity));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
