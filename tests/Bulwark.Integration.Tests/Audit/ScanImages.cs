using System.IO.Compression;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Audit;

/// <summary>
/// Test images with package databases (busybox plus a Debian 12 dpkg status or an Alpine 3.18 apk installed file)
/// and a small OSV database written for these tests, imported into a daemon shared by the scan tests.
/// </summary>
public sealed class ScanFixture : IAsyncLifetime
{
    public const string DebianImage = "test/scan-debian:1";
    public const string AlpineImage = "test/scan-alpine:1";

    /// <summary>busybox plus a copy of the docker CLI (a real Go program with embedded module info) at /usr/bin/docker.</summary>
    public const string GoImage = "test/scan-go:1";

    public DaemonInstance Daemon { get; private set; } = null!;

    public string OsvZip => Path.Combine(Daemon.Root, "osv", "all.zip");

    public async Task InitializeAsync()
    {
        Daemon = await DaemonInstance.StartAsync();
        await ImportAsync(DebianImage, "debian", new Dictionary<string, string>
        {
            ["etc/os-release"] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
            ["var/lib/dpkg/status"] = """
                Package: libssl3
                Status: install ok installed
                Architecture: amd64
                Source: openssl
                Version: 3.0.11-1~deb12u1

                Package: zlib1g
                Status: install ok installed
                Architecture: amd64
                Source: zlib
                Version: 1:1.2.13.dfsg-1

                """,
        });
        await ImportAsync(AlpineImage, "alpine", new Dictionary<string, string>
        {
            ["etc/os-release"] = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n",
            ["lib/apk/db/installed"] = "P:busybox\nV:1.36.1-r5\nA:x86_64\no:busybox\n\nP:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n",
        });

        await ImportAsync(GoImage, "go", new Dictionary<string, string>(), ("usr/bin/docker", RepoPaths.DockerCli));

        Directory.CreateDirectory(Path.GetDirectoryName(OsvZip)!);
        using var zip = ZipFile.Open(OsvZip, ZipArchiveMode.Create);
        foreach (var (name, json) in new[] { ("DSA-9001-1.json", OsvRecords.DebianOpenssl), ("ALPINE-CVE-2026-0002.json", OsvRecords.AlpineBusybox), ("zlib.json", OsvRecords.DebianZlibFixed) })
        {
            await using var entry = zip.CreateEntry(name).Open();
            await entry.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json));
        }
    }

    private Task ImportAsync(string image, string dir, Dictionary<string, string> files, params (string Path, string HostFile)[] copies) =>
        ScanImageBuilder.ImportAsync(Daemon, image, dir, files, copies);

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}

/// <summary>Builds the scan tests' images: busybox plus package databases.</summary>
internal static class ScanImageBuilder
{
    /// <summary>busybox plus <paramref name="files"/> (and copies of host files), imported into <paramref name="daemon"/> as <paramref name="image"/>.</summary>
    public static async Task ImportAsync(DaemonInstance daemon, string image, string dir, Dictionary<string, string> files, params (string Path, string HostFile)[] copies)
    {
        string work = Path.Combine(daemon.Root, dir);
        BusyboxImage.BuildRootfsTar(work);
        string rootfs = Path.Combine(work, "rootfs");
        foreach (var (path, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(rootfs, path))!);
            await File.WriteAllTextAsync(Path.Combine(rootfs, path), content.Replace("\r", "", StringComparison.Ordinal));
        }

        foreach (var (path, hostFile) in copies)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(rootfs, path))!);
            File.Copy(hostFile, Path.Combine(rootfs, path), overwrite: true);
        }

        string tar = Path.Combine(work, "image.tar");
        var r = await ProcessRunner.RunAsync("tar", ["--numeric-owner", "-C", rootfs, "-cf", tar, "."]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var imported = await daemon.CliAsync("import", tar, image);
        Assert.True(imported.ExitCode == 0, imported + "\n" + daemon.DaemonLog);
    }

}

/// <summary>OSV records written for these tests.</summary>
internal static class OsvRecords
{
    public const string DebianOpenssl = """
        {"id": "DSA-9001-1", "summary": "openssl: buffer overflow", "aliases": ["CVE-2026-0001"],
         "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
         "affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"},
                       "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]}]}]}
        """;

    /// <summary>Fixed before the installed epoch-1 version: must not match.</summary>
    public const string DebianZlibFixed = """
        [{"id": "DSA-9003-1", "summary": "zlib: old bug",
          "affected": [{"package": {"ecosystem": "Debian:12", "name": "zlib"},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.13.dfsg-9"}]}]}]}]
        """;

    public const string AlpineBusybox = """
        {"id": "ALPINE-CVE-2026-0002", "summary": "busybox: awk use after free", "database_specific": {"severity": "MODERATE"},
         "affected": [{"package": {"ecosystem": "Alpine:v3.18", "name": "busybox"},
                       "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.36.0"}, {"fixed": "1.36.1-r6"}]}]}]}
        """;
}
