using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Bulwark.Audit.Images;
using Bulwark.Audit.Sbom;
using Bulwark.Audit.Tests.Sbom;

namespace Bulwark.Audit.Tests.Images;

public sealed class ImageArchiveReaderTests
{
    private const string OsRelease = "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
    private const string TwoPackages = "Package: a\nStatus: install ok installed\nVersion: 1.0\n\nPackage: b\nStatus: install ok installed\nVersion: 2.0\n";

    private static byte[] GoBinary() => TestElf.Build((".go.buildinfo", TestElf.GoBuildInfo("go1.21.0", "path\tx\nmod\tx\t(devel)\t\n")));

    private static byte[] Layer(bool gzip, params TarEntry[] entries)
    {
        var buffer = new MemoryStream();
        Stream target = gzip ? new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true) : buffer;
        using (var writer = new TarWriter(target, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                writer.WriteEntry(e);
            }
        }

        if (gzip)
        {
            target.Dispose();
        }

        return buffer.ToArray();
    }

    private static PaxTarEntry File(string name, byte[] content, UnixFileMode mode = (UnixFileMode)0x1A4) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content), Mode = mode };

    private static PaxTarEntry File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

    private static MemoryStream Archive(params (string Name, byte[] Layer)[] layers)
    {
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, layer) in layers)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(layer) });
            }

            string list = string.Join(",", layers.Select(l => $"\"{l.Name}\""));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"[{{\"Config\":\"c.json\",\"RepoTags\":[\"t:1\"],\"Layers\":[{list}]}}]")),
            });
        }

        archive.Position = 0;
        return archive;
    }

    [Fact]
    public async Task Read_LayersInOrder_LaterLayerAndWhiteoutsWin()
    {
        var lower = Layer(false,
            File("etc/os-release", OsRelease),
            File("var/lib/dpkg/status", TwoPackages),
            File("usr/bin/app", GoBinary(), (UnixFileMode)0x1ED),
            File("opt/tool/bin", GoBinary(), (UnixFileMode)0x1ED),
            File("usr/bin/data", GoBinary()));
        var upper = Layer(true,
            File("var/lib/dpkg/status", "Package: a\nStatus: install ok installed\nVersion: 1.1\n"),
            new PaxTarEntry(TarEntryType.RegularFile, "usr/bin/.wh.app") { DataStream = new MemoryStream() },
            new PaxTarEntry(TarEntryType.RegularFile, "opt/tool/.wh..wh..opq") { DataStream = new MemoryStream() });

        var (os, packages) = await ImageArchiveReader.ReadAsync(Archive(("blobs/sha256/aa", lower), ("blobs/sha256/bb", upper)), CancellationToken.None);

        Assert.Equal("Debian:12", os!.OsvEcosystem);
        var deb = Assert.Single(packages);
        Assert.Equal(("a", "1.1", "Debian:12"), (deb.Name, deb.Version, deb.Ecosystem));
    }

    [Fact]
    public async Task Read_ExecutableGoBinaryAndOsReleaseSymlink_Found()
    {
        var layer = Layer(false,
            new PaxTarEntry(TarEntryType.SymbolicLink, "etc/os-release") { LinkName = "../usr/lib/os-release" },
            File("usr/lib/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
            File("lib/apk/db/installed", "P:musl\nV:1.2.4-r2\no:musl\n"),
            File("./usr/local/bin/app", GoBinary(), (UnixFileMode)0x1ED),
            File("usr/share/not-executable", GoBinary()));

        var (os, packages) = await ImageArchiveReader.ReadAsync(Archive(("l1/layer.tar", layer)), CancellationToken.None);

        Assert.Equal("Alpine:v3.19", os!.OsvEcosystem);
        Assert.Equal(["musl Apk /lib/apk/db/installed", "stdlib GoModule /usr/local/bin/app"], packages.Select(p => $"{p.Name} {p.Kind} {p.Location}"));
    }

    [Fact]
    public async Task Read_RpmSqliteDatabase_UnderUsrLibSysimage_Found()
    {
        var rpmdb = TestRpmDb.Bytes(new TestRpmDb.Package("bash", "5.2.26", "3.fc40", null, "x86_64", "bash-5.2.26-3.fc40.src.rpm"));
        var layer = Layer(true,
            File("etc/os-release", "ID=almalinux\nVERSION_ID=\"9.4\"\n"),
            File("usr/lib/sysimage/rpm/rpmdb.sqlite", rpmdb));

        var (_, packages) = await ImageArchiveReader.ReadAsync(Archive(("l1/layer.tar", layer)), CancellationToken.None);

        var bash = Assert.Single(packages);
        Assert.Equal(("bash", "5.2.26-3.fc40", PackageKind.Rpm, "/usr/lib/sysimage/rpm/rpmdb.sqlite", "AlmaLinux:9"), (bash.Name, bash.Version, bash.Kind, bash.Location, bash.Ecosystem));
    }

    [Fact]
    public async Task Read_NotAnImageArchive_ClearError()
    {
        var ex = await Assert.ThrowsAsync<AuditException>(() => ImageArchiveReader.ReadAsync(new MemoryStream(Layer(false, File("x", "y"))), CancellationToken.None));
        Assert.Contains("manifest.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_ManifestNamesMissingLayer_ClearError()
    {
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream("[{\"Layers\":[\"gone.tar\"]}]"u8.ToArray()) });
        }

        archive.Position = 0;
        var ex = await Assert.ThrowsAsync<AuditException>(() => ImageArchiveReader.ReadAsync(archive, CancellationToken.None));
        Assert.Contains("gone.tar", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("./etc/../etc/os-release", "etc/os-release")]
    [InlineData("/../../etc/passwd", "etc/passwd")]
    [InlineData("a//b/", "a/b")]
    public void Normalize_AnyName_StaysUnderRoot(string name, string expected) => Assert.Equal(expected, LayerWalker.Normalize(name));
}
