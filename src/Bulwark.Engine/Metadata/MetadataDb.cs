using System.Globalization;
using System.Text.Json;
using Bulwark.Engine.Images.Manifests;
using Microsoft.Data.Sqlite;

namespace Bulwark.Engine.Metadata;

/// <summary>
/// &lt;dataRoot&gt;/metadata.db (SQLite, rollback journal kept in place): the images and tags tables. One connection, serialised by a lock.
/// Writers call <see cref="Write"/>, which applies all changes in one transaction; callers only add rows
/// whose blobs and snapshots already exist, so a crash leaves either the old or the new state.
/// </summary>
public sealed class MetadataDb : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    public MetadataDb(string dataRoot)
    {
        Directory.CreateDirectory(dataRoot);
        Path = System.IO.Path.Combine(dataRoot, "metadata.db");
        var csb = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false, DefaultTimeout = 30 };
        connection = new SqliteConnection(csb.ConnectionString);
        connection.Open();
        // A rollback journal kept in place (PERSIST), not WAL: the one connection is serialised anyway, and WAL has to
        // create and size its -shm index at every open, which a full disk refuses ("disk I/O error"): a daemon that
        // restarts on a full data root could not read its images. With PERSIST an open and every read write nothing.
        Execute("PRAGMA journal_mode=PERSIST;");
        Execute("PRAGMA synchronous=FULL;");
        Execute("PRAGMA foreign_keys=ON;");
        Execute("PRAGMA busy_timeout=10000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS images (
                id TEXT PRIMARY KEY,
                manifest_digest TEXT NOT NULL,
                manifest_media_type TEXT NOT NULL,
                manifest_from_source INTEGER NOT NULL,
                config_digest TEXT NOT NULL,
                created TEXT,
                added TEXT NOT NULL,
                size INTEGER NOT NULL,
                layers TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS tags (
                reference TEXT PRIMARY KEY,
                image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
            );
            CREATE INDEX IF NOT EXISTS tags_image ON tags(image_id);
            """);
    }

    public string Path { get; }

    public IReadOnlyList<ImageRow> LoadImages()
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT id, manifest_digest, manifest_media_type, manifest_from_source, created, added, layers FROM images";
            using var r = cmd.ExecuteReader();
            var list = new List<ImageRow>();
            while (r.Read())
            {
                list.Add(new ImageRow
                {
                    Id = r.GetString(0),
                    ManifestDigest = r.GetString(1),
                    ManifestMediaType = r.GetString(2),
                    ManifestFromSource = r.GetInt64(3) != 0,
                    Created = r.IsDBNull(4) ? null : DateTimeOffset.Parse(r.GetString(4), CultureInfo.InvariantCulture),
                    Added = DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture),
                    Layers = JsonSerializer.Deserialize(r.GetString(6), ImageJsonContext.Default.ListLayerRow) ?? [],
                });
            }

            return list;
        }
    }

    /// <summary>All tags: full normalised reference ("docker.io/library/busybox:latest") → image id.</summary>
    public IReadOnlyDictionary<string, string> LoadTags()
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT reference, image_id FROM tags";
            using var r = cmd.ExecuteReader();
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            while (r.Read())
            {
                map[r.GetString(0)] = r.GetString(1);
            }

            return map;
        }
    }

    /// <summary>Applies image upserts, tag sets/removals and image removals in one transaction.</summary>
    public void Write(IReadOnlyList<ImageRow> upsertImages, IReadOnlyList<KeyValuePair<string, string>> setTags,
        IReadOnlyList<string> removeTags, IReadOnlyList<string> removeImages)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            foreach (var img in upsertImages)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO images (id, manifest_digest, manifest_media_type, manifest_from_source, config_digest, created, added, size, layers)
                    VALUES ($id, $md, $mt, $src, $cd, $created, $added, $size, $layers)
                    ON CONFLICT(id) DO UPDATE SET manifest_digest = excluded.manifest_digest,
                        manifest_media_type = excluded.manifest_media_type, manifest_from_source = excluded.manifest_from_source,
                        created = excluded.created, size = excluded.size, layers = excluded.layers
                    """;
                cmd.Parameters.AddWithValue("$id", img.Id);
                cmd.Parameters.AddWithValue("$md", img.ManifestDigest);
                cmd.Parameters.AddWithValue("$mt", img.ManifestMediaType);
                cmd.Parameters.AddWithValue("$src", img.ManifestFromSource ? 1 : 0);
                cmd.Parameters.AddWithValue("$cd", img.Id);
                cmd.Parameters.AddWithValue("$created", (object?)img.Created?.ToString("O", CultureInfo.InvariantCulture) ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$added", img.Added.ToString("O", CultureInfo.InvariantCulture));
                cmd.Parameters.AddWithValue("$size", img.Layers.Sum(l => l.UnpackedSize));
                cmd.Parameters.AddWithValue("$layers", JsonSerializer.Serialize(img.Layers.ToList(), ImageJsonContext.Default.ListLayerRow));
                cmd.ExecuteNonQuery();
            }

            foreach (var reference in removeTags)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "DELETE FROM tags WHERE reference = $r";
                cmd.Parameters.AddWithValue("$r", reference);
                cmd.ExecuteNonQuery();
            }

            foreach (var (reference, imageId) in setTags)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO tags (reference, image_id) VALUES ($r, $i) ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id";
                cmd.Parameters.AddWithValue("$r", reference);
                cmd.Parameters.AddWithValue("$i", imageId);
                cmd.ExecuteNonQuery();
            }

            foreach (var id in removeImages)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "DELETE FROM tags WHERE image_id = $i; DELETE FROM images WHERE id = $i";
                cmd.Parameters.AddWithValue("$i", id);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            connection.Dispose();
        }
    }

    private void Execute(string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
