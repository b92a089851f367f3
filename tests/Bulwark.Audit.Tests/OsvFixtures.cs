namespace Bulwark.Audit.Tests;

/// <summary>Small OSV records written for these tests (shapes as osv.dev publishes them).</summary>
internal static class OsvFixtures
{
    /// <summary>Debian source package openssl, fixed in 3.0.11-1~deb12u2 on Debian 12; CVSS 9.8.</summary>
    public const string DebianOpenssl = """
        {
          "id": "DSA-9001-1", "modified": "2026-01-01T00:00:00Z", "summary": "openssl: buffer overflow",
          "aliases": ["CVE-2026-0001"],
          "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
          "affected": [{
            "package": {"ecosystem": "Debian:12", "name": "openssl"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]
          }]
        }
        """;

    /// <summary>Same package on Debian 11 only: must not match a Debian 12 image.</summary>
    public const string DebianOpensslBullseye = """
        {
          "id": "DSA-9002-1", "summary": "openssl on bullseye only",
          "affected": [{
            "package": {"ecosystem": "Debian:11", "name": "openssl"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9:9.9"}]}]
          }]
        }
        """;

    /// <summary>Alpine origin busybox, introduced 1.36.0, fixed 1.36.1-r6; GHSA-style named severity.</summary>
    public const string AlpineBusybox = """
        {
          "id": "ALPINE-CVE-2026-0002", "details": "busybox: awk use after free\nmore text",
          "database_specific": {"severity": "MODERATE"},
          "affected": [{
            "package": {"ecosystem": "Alpine:v3.18", "name": "busybox"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.36.0"}, {"fixed": "1.36.1-r6"}]}]
          }]
        }
        """;

    /// <summary>Go module with last_affected and a SEMVER range.</summary>
    public const string GoNet = """
        {
          "id": "GO-2026-0003", "summary": "x/net: header smuggling",
          "affected": [{
            "package": {"ecosystem": "Go", "name": "golang.org/x/net"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": "0.17.0"}]}],
            "ecosystem_specific": {"severity": "HIGH"}
          }]
        }
        """;

    /// <summary>crates.io crate listed by exact versions only.</summary>
    public const string CrateSmallvec = """
        {
          "id": "RUSTSEC-2026-0004", "summary": "smallvec: double free",
          "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"}, "versions": ["1.6.0", "1.6.1"]}]
        }
        """;
}
