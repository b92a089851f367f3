using System.IO.Compression;
using System.Text.Json;

namespace Bulwark.Audit.Sbom;

/// <summary>
/// Reads the dependency list cargo-auditable embeds in Rust binaries: the <c>.dep-v0</c> section, zlib-compressed
/// JSON <c>{"packages":[{"name","version","source"}…]}</c>. Only crates from crates.io are matched against OSV.
/// </summary>
public static class CargoAuditableReader
{
    private const int MaxJsonBytes = 8 * 1024 * 1024;

    public static IReadOnlyList<SbomPackage> Read(ReadOnlyMemory<byte> file, string location)
    {
        var section = ElfSections.Find(file, ".dep-v0");
        if (section.IsEmpty)
        {
            return [];
        }

        CargoAuditableInfo? info;
        try
        {
            using var input = new MemoryStream(section.ToArray());
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var json = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = zlib.Read(buffer)) > 0)
            {
                if (json.Length + n > MaxJsonBytes)
                {
                    return [];
                }

                json.Write(buffer, 0, n);
            }

            info = JsonSerializer.Deserialize(json.ToArray(), SbomJsonContext.Default.CargoAuditableInfo);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            return [];
        }

        var packages = new List<SbomPackage>();
        foreach (var crate in info?.Packages ?? [])
        {
            if (crate.Name is not { Length: > 0 } name || crate.Version is not { Length: > 0 } version)
            {
                continue;
            }

            bool fromCratesIo = crate.Source == "crates.io";
            packages.Add(new SbomPackage(name, version, PackageKind.RustCrate, location, null, fromCratesIo ? "crates.io" : "",
                name, version, Purl.Create("cargo", null, name, version)));
        }

        return packages;
    }
}
