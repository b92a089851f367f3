using Bulwark.Engine.Metadata;
using Bulwark.Engine.Tests.Images;
using Microsoft.Data.Sqlite;

namespace Bulwark.Engine.Tests.Metadata;

public sealed class MetadataDbTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();

    public void Dispose() => scratch.Dispose();

    private static ImageRow Row(string id) => new()
    {
        Id = id,
        ManifestDigest = "sha256:" + new string('m', 0) + new string('1', 64),
        ManifestMediaType = "application/vnd.oci.image.manifest.v1+json",
        Added = DateTimeOffset.UnixEpoch,
        Layers = [new LayerRow { Digest = "sha256:" + new string('2', 64), MediaType = "t", DiffId = "d", ChainId = "c", UnpackedSize = 7 }],
    };

    [Fact]
    public void Write_ImageAndTags_PersistAcrossReopenInWalMode()
    {
        string id = "sha256:" + new string('a', 64);
        using (var db = new MetadataDb(scratch.Path))
        {
            db.Write([Row(id)], [new("docker.io/library/x:latest", id)], [], []);
        }

        using (var db = new MetadataDb(scratch.Path))
        {
            var row = Assert.Single(db.LoadImages());
            Assert.Equal(7, row.Layers[0].UnpackedSize);
            Assert.Equal(id, db.LoadTags()["docker.io/library/x:latest"]);
            db.Write([], [], [], [id]);
            Assert.Empty(db.LoadTags());
            Assert.Empty(db.LoadImages());
        }

        using var c = new SqliteConnection($"Data Source={Path.Combine(scratch.Path, "metadata.db")};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("delete", cmd.ExecuteScalar()); // a rollback journal (PERSIST is per connection): no WAL left behind
        Assert.False(File.Exists(Path.Combine(scratch.Path, "metadata.db-wal")));
        Assert.False(File.Exists(Path.Combine(scratch.Path, "metadata.db-shm")));
    }

    [Fact]
    public void Write_TagForMissingImage_WholeTransactionRolledBack()
    {
        string id = "sha256:" + new string('b', 64);
        using var db = new MetadataDb(scratch.Path);
        Assert.Throws<SqliteException>(() => db.Write([Row(id)], [new("docker.io/library/y:latest", "sha256:" + new string('c', 64))], [], []));
        Assert.Empty(db.LoadImages());
    }
}
