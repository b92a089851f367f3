using System.Buffers.Binary;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Bulwark.Audit.Tests.Sbom;

/// <summary>
/// Writes rpm header blobs (the format rpmdb stores: index count, data length, 16-byte big-endian index entries, data)
/// and an rpmdb.sqlite with rpm's Packages table holding them.
/// </summary>
internal static class TestRpmDb
{
    public sealed record Package(string Name, string Version, string Release, int? Epoch, string Arch, string? SourceRpm);

    public static byte[] Header(Package p)
    {
        var entries = new List<(int Tag, int Type, byte[] Data)>
        {
            (1000, 6, Z(p.Name)),
            (1001, 6, Z(p.Version)),
            (1002, 6, Z(p.Release)),
            (1022, 6, Z(p.Arch)),
        };
        if (p.Epoch is { } epoch)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, epoch);
            entries.Insert(0, (1003, 4, b));
        }

        if (p.SourceRpm is { } source)
        {
            entries.Add((1044, 6, Z(source)));
        }

        var data = new MemoryStream();
        var index = new MemoryStream();
        foreach (var (tag, type, bytes) in entries)
        {
            while (type == 4 && data.Length % 4 != 0)
            {
                data.WriteByte(0); // int32 data is 4-byte aligned
            }

            var entry = new byte[16].AsSpan();
            BinaryPrimitives.WriteInt32BigEndian(entry, tag);
            BinaryPrimitives.WriteInt32BigEndian(entry[4..], type);
            BinaryPrimitives.WriteInt32BigEndian(entry[8..], (int)data.Length);
            BinaryPrimitives.WriteInt32BigEndian(entry[12..], 1);
            index.Write(entry);
            data.Write(bytes);
        }

        var blob = new byte[8 + index.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(blob, entries.Count);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4), (int)data.Length);
        index.ToArray().CopyTo(blob, 8);
        data.ToArray().CopyTo(blob, 8 + (int)index.Length);
        return blob;
    }

    /// <summary>An rpmdb.sqlite at <paramref name="path"/> with rpm's schema and one row per package.</summary>
    public static void Write(string path, params Package[] packages)
    {
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)";
            create.ExecuteNonQuery();
            foreach (var p in packages)
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO Packages (blob) VALUES ($blob)";
                insert.Parameters.AddWithValue("$blob", Header(p));
                insert.ExecuteNonQuery();
            }
        }

        SqliteConnection.ClearAllPools();
    }

    public static byte[] Bytes(params Package[] packages)
    {
        string dir = Directory.CreateTempSubdirectory("bulwark-test-rpmdb-").FullName;
        try
        {
            string path = Path.Combine(dir, "rpmdb.sqlite");
            Write(path, packages);
            return File.ReadAllBytes(path);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static byte[] Z(string s) => [.. Encoding.UTF8.GetBytes(s), 0];
}
