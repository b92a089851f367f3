using Bulwark.Engine.Images;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>The scopes containers/image tries for a docker reference, most specific first (policy.json and registries.d alike).</summary>
internal static class DockerScope
{
    /// <summary>
    /// host/ns/repo:tag (or @digest, when <paramref name="withReference"/>), host/ns/repo, host/ns, host, then *.domain wildcards
    /// of the host name, then "".
    /// </summary>
    public static IEnumerable<string> Candidates(ImageReference image, bool withReference)
    {
        if (withReference && (image.Tag is not null || image.Digest is not null))
        {
            yield return image.Full;
        }

        string name = image.Repository;
        yield return name;
        for (int slash = name.LastIndexOf('/'); slash > 0; slash = name.LastIndexOf('/'))
        {
            name = name[..slash];
            yield return name;
        }

        string host = image.Domain;
        int colon = host.LastIndexOf(':');
        if (colon > 0 && !host.EndsWith(']'))
        {
            host = host[..colon];
        }

        for (int dot = host.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = host.IndexOf('.', dot + 1))
        {
            yield return "*" + host[dot..];
        }

        yield return "";
    }
}
