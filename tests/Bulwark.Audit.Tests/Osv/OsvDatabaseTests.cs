using System.IO.Compression;
using Bulwark.Audit.Osv;

namespace Bulwark.Audit.Tests.Osv;

public sealed class OsvDatabaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-osv-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OsvDatabase NewDatabase() => new(Path.Combine(_dir, "db"));

    [Fact]
    public async Task Import_OneDocument_FiledUnderEcosystemAndPackage()
    {
        var file = Path.Combine(_dir, "one.json");
        await File.WriteAllTextAsync(file, OsvFixtures.DebianOpenssl);
        var db = NewDatabase();

        var result = await db.ImportAsync(file, CancellationToken.None);

        Assert.Equal(1, result.RecordsRead);
        Assert.Equal(1, result.RecordsInDatabase);
        Assert.True(File.Exists(Path.Combine(db.Root, "Debian", "openssl.json")));
        Assert.Equal("DSA-9001-1", Assert.Single(db.ForPackage("Debian:12", "openssl")).Id);
        Assert.Empty(db.ForPackage("Debian:12", "zlib"));
    }

    [Fact]
    public async Task Import_ArrayDirectoryAndZip_AllRecordsRead()
    {
        var array = Path.Combine(_dir, "array.json");
        await File.WriteAllTextAsync(array, $"[{OsvFixtures.DebianOpenssl},{OsvFixtures.AlpineBusybox}]");
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "dir", "nested")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "GO-2026-0003.json"), OsvFixtures.GoNet);
        var zip = Path.Combine(_dir, "all.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            await using var stream = archive.CreateEntry("RUSTSEC-2026-0004.json").Open();
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(OsvFixtures.CrateSmallvec));
        }

        var db = NewDatabase();
        await db.ImportAsync(array, CancellationToken.None);
        await db.ImportAsync(Path.Combine(_dir, "dir"), CancellationToken.None);
        var last = await db.ImportAsync(zip, CancellationToken.None);

        Assert.Equal(4, last.RecordsInDatabase);
        Assert.Single(db.ForPackage("Alpine:v3.18", "busybox"));
        Assert.Single(db.ForPackage("Go", "golang.org/x/net"));
        Assert.Single(db.ForPackage("crates.io", "smallvec"));
        var metadata = db.ReadMetadata()!;
        Assert.Equal(1, metadata.Ecosystems["Go"]);
        Assert.True(File.Exists(Path.Combine(db.Root, "Go", "golang.org%2Fx%2Fnet.json")));
    }

    [Fact]
    public async Task Import_SameIdAgain_ReplacesRecord()
    {
        var file = Path.Combine(_dir, "one.json");
        await File.WriteAllTextAsync(file, OsvFixtures.DebianOpenssl);
        var db = NewDatabase();
        await db.ImportAsync(file, CancellationToken.None);
        await File.WriteAllTextAsync(file, OsvFixtures.DebianOpenssl.Replace("buffer overflow", "updated summary", StringComparison.Ordinal));

        var result = await db.ImportAsync(file, CancellationToken.None);

        Assert.Equal(1, result.RecordsInDatabase);
        Assert.Equal("openssl: updated summary", Assert.Single(new OsvDatabase(db.Root).ForPackage("Debian:12", "openssl")).Summary);
    }

    [Fact]
    public async Task Import_WithdrawnRecord_RemovesIt()
    {
        var file = Path.Combine(_dir, "one.json");
        await File.WriteAllTextAsync(file, OsvFixtures.DebianOpenssl);
        var db = NewDatabase();
        await db.ImportAsync(file, CancellationToken.None);
        await File.WriteAllTextAsync(file, OsvFixtures.DebianOpenssl.Replace("\"modified\"", "\"withdrawn\": \"2026-02-01T00:00:00Z\", \"modified\"", StringComparison.Ordinal));

        var result = await db.ImportAsync(file, CancellationToken.None);

        Assert.Equal(1, result.Withdrawn);
        Assert.Empty(new OsvDatabase(db.Root).ForPackage("Debian:12", "openssl"));
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("{\"summary\": \"no id\"}", "no \"id\"")]
    [InlineData("[]", "holds no OSV records")]
    [InlineData("[1]", "no \"id\"")]
    public async Task Import_MalformedFile_RefusedNamingFileAndWritesNothing(string content, string reason)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "in")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "a-good.json"), OsvFixtures.DebianOpenssl);
        await File.WriteAllTextAsync(Path.Combine(dir, "b-bad.json"), content);
        var db = NewDatabase();

        var ex = await Assert.ThrowsAsync<AuditException>(() => db.ImportAsync(content == "[]" ? Path.Combine(dir, "b-bad.json") : dir, CancellationToken.None));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("b-bad.json", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(db.Root));
    }

    [Fact]
    public async Task Import_MissingFile_ClearError()
    {
        var ex = await Assert.ThrowsAsync<AuditException>(() => NewDatabase().ImportAsync(Path.Combine(_dir, "nope.json"), CancellationToken.None));
        Assert.Contains("nope.json", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openssl", "openssl")]
    [InlineData("golang.org/x/net", "golang.org%2Fx%2Fnet")]
    [InlineData("..", "%2E.")]
    [InlineData("libstdc++6", "libstdc++6")]
    public void Escape_AnyName_IsOneSafeFileName(string name, string expected) => Assert.Equal(expected, OsvDatabase.Escape(name));
}
