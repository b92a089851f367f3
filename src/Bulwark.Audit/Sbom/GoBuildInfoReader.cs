using System.Text;

namespace Bulwark.Audit.Sbom;

/// <summary>
/// Reads the module list Go (1.18 and later) embeds in every binary: the <c>.go.buildinfo</c> section (or, when the
/// section headers are stripped, the 16-byte aligned "\xff Go buildinf:" blob) holds the Go version and the modinfo
/// text with <c>mod</c>, <c>dep</c> and <c>=&gt;</c> (replacement) lines. The toolchain is reported as OSV's
/// <c>stdlib</c> package. Binaries from Go before 1.18 (pointer-based build info) are not read.
/// </summary>
public static class GoBuildInfoReader
{
    private static readonly byte[] Magic = [0xFF, .. " Go buildinf:"u8];

    public static IReadOnlyList<SbomPackage> Read(ReadOnlyMemory<byte> file, string location)
    {
        var blob = ElfSections.Find(file, ".go.buildinfo").Span;
        if (blob.Length < 32 || !blob[..14].SequenceEqual(Magic))
        {
            blob = ScanForMagic(file.Span);
        }

        if (blob.Length < 32 || (blob[15] & 2) == 0)
        {
            return [];
        }

        var rest = blob[32..];
        string? goVersion = ReadString(ref rest);
        string? modinfo = ReadString(ref rest);
        if (goVersion is null)
        {
            return [];
        }

        var packages = new List<SbomPackage>();
        if (goVersion.StartsWith("go", StringComparison.Ordinal))
        {
            string v = goVersion[2..].Split(' ')[0];
            packages.Add(Create("stdlib", v, location));
        }

        if (modinfo is { Length: >= 33 } && modinfo[^17] == '\n')
        {
            modinfo = modinfo[16..^16];
        }

        var modules = new List<(string Path, string Version)>();
        foreach (var line in (modinfo ?? "").Split('\n'))
        {
            var f = line.Split('\t');
            if (f.Length >= 3 && f[0] is "mod" or "dep")
            {
                modules.Add((f[1], f[2]));
            }
            else if (f.Length >= 3 && f[0] == "=>" && modules.Count > 0)
            {
                modules[^1] = (f[1], f[2]);
            }
        }

        foreach (var (path, version) in modules)
        {
            if (version is "(devel)" or "")
            {
                continue;
            }

            packages.Add(Create(path, version, location));
        }

        return packages;
    }

    private static SbomPackage Create(string path, string version, string location)
    {
        int slash = path.LastIndexOf('/');
        string purl = slash < 0 ? Purl.Create("golang", null, path, version) : Purl.Create("golang", path[..slash], path[(slash + 1)..], version);
        return new SbomPackage(path, version, PackageKind.GoModule, location, null, "Go", path, version, purl);
    }

    private static ReadOnlySpan<byte> ScanForMagic(ReadOnlySpan<byte> data)
    {
        int i = 0;
        while (i < data.Length)
        {
            int found = data[i..].IndexOf(Magic);
            if (found < 0)
            {
                return [];
            }

            int at = i + found;
            if (at % 16 == 0 && at + 32 <= data.Length)
            {
                return data[at..];
            }

            i = at + 1;
        }

        return [];
    }

    private static string? ReadString(ref ReadOnlySpan<byte> data)
    {
        ulong length = 0;
        int shift = 0;
        int i = 0;
        while (true)
        {
            if (i >= data.Length || shift > 63)
            {
                return null;
            }

            byte b = data[i++];
            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            shift += 7;
        }

        if (length > (ulong)(data.Length - i))
        {
            return null;
        }

        string text = Encoding.UTF8.GetString(data.Slice(i, (int)length));
        data = data[(i + (int)length)..];
        return text;
    }
}
