using Bulwark.Audit.Sbom;

namespace Bulwark.Audit.Tests.Sbom;

public sealed class PackageDatabaseParsersTests
{
    private static readonly OsRelease Bookworm = OsRelease.Parse("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n")!;
    private static readonly OsRelease Alpine = OsRelease.Parse("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n")!;

    [Fact]
    public void OsRelease_Distributions_OsvEcosystems()
    {
        Assert.Equal("Debian:12", Bookworm.OsvEcosystem);
        Assert.Equal("Alpine:v3.18", Alpine.OsvEcosystem);
        Assert.Equal("Ubuntu:22.04", OsRelease.Parse("ID=ubuntu\nVERSION_ID=\"22.04\"")!.OsvEcosystem);
        Assert.Equal("", OsRelease.Parse("ID=fedora\nVERSION_ID=39")!.OsvEcosystem);
        Assert.Null(OsRelease.Parse("# nothing"));
    }

    [Fact]
    public void Dpkg_InstalledStanzas_SourceNameAndVersionForMatching()
    {
        const string status = """
            Package: libssl3
            Status: install ok installed
            Architecture: amd64
            Source: openssl (3.0.11-1~deb12u1)
            Version: 3.0.11-1~deb12u1+b1
            Description: Secure Sockets Layer toolkit
             multi-line description

            Package: zlib1g
            Status: install ok installed
            Architecture: amd64
            Source: zlib
            Version: 1:1.2.13.dfsg-1

            Package: removed-one
            Status: deinstall ok config-files
            Version: 1.0

            """;

        var packages = DpkgStatusParser.Parse(status, "/var/lib/dpkg/status", Bookworm);

        Assert.Equal(2, packages.Count);
        Assert.Equal(("libssl3", "openssl", "3.0.11-1~deb12u1"), (packages[0].Name, packages[0].MatchName, packages[0].MatchVersion));
        Assert.Equal(("zlib1g", "zlib", "1:1.2.13.dfsg-1"), (packages[1].Name, packages[1].MatchName, packages[1].MatchVersion));
        Assert.All(packages, p => Assert.Equal("Debian:12", p.Ecosystem));
        Assert.Equal("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib", packages[1].Purl);
    }

    [Fact]
    public void Dpkg_UnknownDistribution_NoEcosystem() =>
        Assert.Equal("", Assert.Single(DpkgStatusParser.Parse("Package: a\nVersion: 1\n", "/s", null)).Ecosystem);

    [Fact]
    public void Apk_Records_OriginForMatching()
    {
        const string installed = "C:Q1abc=\nP:ssl_client\nV:1.36.1-r5\nA:x86_64\no:busybox\n\nP:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n";

        var packages = ApkInstalledParser.Parse(installed, "/lib/apk/db/installed", Alpine);

        Assert.Equal(2, packages.Count);
        Assert.Equal(("ssl_client", "busybox", "1.36.1-r5", "Alpine:v3.18"), (packages[0].Name, packages[0].MatchName, packages[0].Version, packages[0].Ecosystem));
        Assert.Equal("pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4", packages[1].Purl);
    }
}
