using Microsoft.Data.Sqlite;

namespace Bulwark.Audit.Sbom;

/// <summary>
/// Reads rpm's SQLite database (<c>rpmdb.sqlite</c>, rpm 4.16+: Fedora 33+, RHEL/AlmaLinux/Rocky 9, openSUSE/SLE 15.4+):
/// the <c>Packages</c> table holds one header blob per installed package. The database is opened read-only from a
/// private copy (with its write-ahead log when the image has one). BerkeleyDB (<c>Packages</c>) and ndb
/// (<c>Packages.db</c>) databases are not read.
/// </summary>
public static class RpmDatabaseReader
{
    /// <summary>Packages in <paramref name="database"/> (the bytes of rpmdb.sqlite and of its -wal file, if any).</summary>
    public static IReadOnlyList<SbomPackage> Read(byte[] database, byte[]? writeAheadLog, string location, OsRelease? os)
    {
        var temp = Directory.CreateTempSubdirectory("bulwark-rpmdb-");
        try
        {
            string path = Path.Combine(temp.FullName, "rpmdb.sqlite");
            File.WriteAllBytes(path, database);
            if (writeAheadLog is { Length: > 0 })
            {
                File.WriteAllBytes(path + "-wal", writeAheadLog);
            }

            var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false };
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT blob FROM Packages ORDER BY hnum";
            var packages = new List<SbomPackage>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var header = RpmHeader.Parse((byte[])reader.GetValue(0));
                if (ToPackage(header, location, os) is { } package)
                {
                    packages.Add(package);
                }
            }

            return packages;
        }
        catch (SqliteException ex)
        {
            throw new AuditException($"{location} is not a readable rpm SQLite database: {ex.Message}", ex);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            temp.Delete(recursive: true);
        }
    }

    /// <summary>An SBOM package from a header; null for rpm's gpg-pubkey pseudo-packages and headers without a name.</summary>
    internal static SbomPackage? ToPackage(RpmHeader header, string location, OsRelease? os)
    {
        if (header.String(RpmHeader.TagName) is not { Length: > 0 } name || name == "gpg-pubkey")
        {
            return null;
        }

        string version = header.String(RpmHeader.TagVersion) ?? "";
        string release = header.String(RpmHeader.TagRelease) ?? "";
        int? epoch = header.Int32(RpmHeader.TagEpoch);
        string arch = header.String(RpmHeader.TagArch) ?? "";
        string evr = (epoch is { } e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" : "") + version + (release.Length > 0 ? "-" + release : "");
        string? source = SourceName(header.String(RpmHeader.TagSourceRpm));
        string ecosystem = os is { IsRpmBased: true } ? os.OsvEcosystem : "";

        // OSV's Red Hat records name binary RPMs; AlmaLinux, Rocky Linux, openSUSE, SUSE and Mageia name source packages.
        string matchName = ecosystem.StartsWith("Red Hat:", StringComparison.Ordinal) ? name : source ?? name;
        return new SbomPackage(name, evr, PackageKind.Rpm, location, arch.Length > 0 ? arch : null, ecosystem, matchName, evr,
            Purl.Create("rpm", os?.Id, name, version + (release.Length > 0 ? "-" + release : ""),
                ("arch", arch), ("distro", os?.PurlDistro), ("epoch", epoch?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("upstream", header.String(RpmHeader.TagSourceRpm))));
    }

    /// <summary>"openssl-3.0.7-27.el9.src.rpm" → "openssl": the name before the last two dash-separated fields.</summary>
    internal static string? SourceName(string? sourceRpm)
    {
        if (sourceRpm is not { Length: > 0 })
        {
            return null;
        }

        int release = sourceRpm.LastIndexOf('-');
        int version = release > 0 ? sourceRpm.LastIndexOf('-', release - 1) : -1;
        return version > 0 ? sourceRpm[..version] : null;
    }
}
