namespace Bulwark.Audit.Sbom;

/// <summary>
/// Reads apk's installed database (<c>/lib/apk/db/installed</c>): blank-line separated records of one-letter keys
/// (<c>P:</c> name, <c>V:</c> version, <c>A:</c> arch, <c>o:</c> origin). OSV's Alpine records name the origin package.
/// </summary>
public static class ApkInstalledParser
{
    public static IReadOnlyList<SbomPackage> Parse(string text, string location, OsRelease? os)
    {
        var packages = new List<SbomPackage>();
        string? name = null, version = null, arch = null, origin = null;
        foreach (var raw in text.Split('\n').Append(""))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (name is not null && version is not null)
                {
                    string ecosystem = os?.Id == "alpine" ? os.OsvEcosystem : "";
                    packages.Add(new SbomPackage(name, version, PackageKind.Apk, location, arch, ecosystem, origin ?? name, version,
                        Purl.Create("apk", os?.Id ?? "alpine", name, version, ("arch", arch), ("distro", os?.VersionId), ("upstream", origin != name ? origin : null))));
                }

                name = version = arch = origin = null;
                continue;
            }

            if (line.Length < 2 || line[1] != ':')
            {
                continue;
            }

            string value = line[2..];
            switch (line[0])
            {
                case 'P': name = value; break;
                case 'V': version = value; break;
                case 'A': arch = value; break;
                case 'o': origin = value; break;
                default: break;
            }
        }

        return packages;
    }
}
