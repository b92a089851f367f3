namespace Bulwark.Audit.Sbom;

/// <summary>
/// Reads dpkg's status database (<c>/var/lib/dpkg/status</c>, or one file of distroless' <c>status.d/</c>): RFC 822
/// stanzas; only packages whose Status ends in "installed" count. OSV's Debian records name source packages, so
/// <c>Source: name (version)</c> supplies the match name and, when given, the match version.
/// </summary>
public static class DpkgStatusParser
{
    public static IReadOnlyList<SbomPackage> Parse(string text, string location, OsRelease? os)
    {
        var packages = new List<SbomPackage>();
        foreach (var stanza in Stanzas(text))
        {
            if (!stanza.TryGetValue("Package", out var name) || !stanza.TryGetValue("Version", out var version))
            {
                continue;
            }

            if (stanza.TryGetValue("Status", out var status) && !status.EndsWith(" installed", StringComparison.Ordinal))
            {
                continue;
            }

            string sourceName = name;
            string sourceVersion = version;
            if (stanza.TryGetValue("Source", out var source))
            {
                int paren = source.IndexOf('(', StringComparison.Ordinal);
                sourceName = (paren < 0 ? source : source[..paren]).Trim();
                if (paren >= 0 && source.IndexOf(')', paren) is var close and > 0)
                {
                    sourceVersion = source[(paren + 1)..close].Trim();
                }
            }

            var arch = stanza.GetValueOrDefault("Architecture");
            string ecosystem = os?.Id is "debian" or "ubuntu" ? os.OsvEcosystem : "";
            string distro = os?.Id ?? "debian";
            packages.Add(new SbomPackage(name, version, PackageKind.Deb, location, arch, ecosystem, sourceName, sourceVersion,
                Purl.Create("deb", distro, name, version, ("arch", arch), ("distro", os?.PurlDistro), ("upstream", sourceName != name ? sourceName : null))));
        }

        return packages;
    }

    internal static IEnumerable<Dictionary<string, string>> Stanzas(string text)
    {
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (current.Count > 0)
                {
                    yield return current;
                    current = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                last = null;
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                continue; // continuation of a multi-line field (Description, Conffiles): not needed
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                last = line[..colon];
                current[last] = line[(colon + 1)..].Trim();
            }
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }
}
