namespace Bulwark.Audit.Sbom;

/// <summary>The image's distribution from <c>/etc/os-release</c> (or <c>/usr/lib/os-release</c>).</summary>
public sealed record OsRelease(string Id, string VersionId, string PrettyName)
{
    /// <summary>Parses os-release's KEY=value lines (values optionally quoted).</summary>
    public static OsRelease? Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || line.StartsWith('#'))
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..eq]] = value;
        }

        return values.TryGetValue("ID", out var id)
            ? new OsRelease(id, values.GetValueOrDefault("VERSION_ID", ""), values.GetValueOrDefault("PRETTY_NAME", id))
            : null;
    }

    /// <summary>
    /// The OSV ecosystem of the distribution's packages: <c>Debian:12</c>, <c>Ubuntu:22.04</c>, <c>Alpine:v3.18</c>;
    /// empty for a distribution OSV does not cover.
    /// </summary>
    public string OsvEcosystem => Id switch
    {
        "debian" => VersionId.Length > 0 ? "Debian:" + VersionId.Split('.')[0] : "Debian",
        "ubuntu" => VersionId.Length > 0 ? "Ubuntu:" + VersionId : "Ubuntu",
        "alpine" => VersionId.Split('.') is { Length: >= 2 } p ? $"Alpine:v{p[0]}.{p[1]}" : "Alpine",
        "rhel" => "Red Hat:enterprise_linux:" + Major,
        "almalinux" => VersionId.Length > 0 ? "AlmaLinux:" + Major : "AlmaLinux",
        "rocky" => VersionId.Length > 0 ? "Rocky Linux:" + Major : "Rocky Linux",
        "mageia" => "Mageia:" + VersionId,
        "opensuse-leap" or "opensuse-tumbleweed" => "openSUSE:" + Strip(PrettyName, "openSUSE "),
        "sles" or "sled" or "sle-micro" => "SUSE:" + Strip(PrettyName, "SUSE "),
        _ => "",
    };

    /// <summary>Distributions whose packages are rpms (their OSV ecosystems order versions as rpm does).</summary>
    public bool IsRpmBased => Id is "rhel" or "almalinux" or "rocky" or "mageia" or "opensuse-leap" or "opensuse-tumbleweed" or "sles" or "sled" or "sle-micro"
        or "fedora" or "centos" or "ol" or "amzn";

    private string Major => VersionId.Split('.')[0];

    private static string Strip(string text, string prefix) => text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;

    /// <summary>"debian-12" as purl's distro qualifier.</summary>
    public string PurlDistro => VersionId.Length > 0 ? $"{Id}-{VersionId}" : Id;
}
