namespace Bulwark.Cli.Trust;

/// <summary>
/// An image name as Notary names its repository (the GUN): <c>host[:port]/path</c>, with Docker Hub's <c>docker.io</c> and
/// <c>library/</c> made explicit (<c>busybox</c> → <c>docker.io/library/busybox</c>), and the tag split off.
/// </summary>
internal sealed record TrustedRepositoryName(string Gun, string RegistryHost, string? Tag)
{
    public static TrustedRepositoryName Parse(string reference, bool tagRequired)
    {
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            throw new CliException(1, $"invalid reference \"{reference}\": trust signs and revokes tags, not digests");
        }

        var (name, tag) = Commands.RegistryCommands.Split(reference);
        if (tagRequired && tag is null)
        {
            throw new CliException(1, $"no tag specified for {reference}");
        }

        if (name.Length == 0 || name.Any(char.IsUpper) || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal))
        {
            throw new CliException(1, $"invalid repository name \"{name}\"");
        }

        int slash = name.IndexOf('/', StringComparison.Ordinal);
        string first = slash < 0 ? "" : name[..slash];
        if (slash > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"))
        {
            return new TrustedRepositoryName(name, first, tag);
        }

        string path = slash < 0 ? "library/" + name : name;
        return new TrustedRepositoryName("docker.io/" + path, "docker.io", tag);
    }
}
