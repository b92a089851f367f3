using System.Text.RegularExpressions;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Images;

/// <summary>
/// A parsed, normalised image reference: "busybox" is docker.io/library/busybox, a first component with
/// "." or ":" (or "localhost") is a registry. <see cref="Familiar"/> is the short form Docker shows.
/// </summary>
public sealed partial record ImageReference
{
    public const string DefaultDomain = "docker.io";
    public const string DefaultTag = "latest";
    private const int MaxNameLength = 255;

    private ImageReference(string domain, string path, string? tag, string? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    public string Domain { get; }

    /// <summary>Repository path without the domain ("library/busybox").</summary>
    public string Path { get; }

    public string? Tag { get; }

    public string? Digest { get; }

    /// <summary>"docker.io/library/busybox".</summary>
    public string Repository => Domain + "/" + Path;

    /// <summary>"busybox", "user/app", "ghcr.io/x/y".</summary>
    public string FamiliarRepository =>
        Domain != DefaultDomain ? Repository
        : Path.StartsWith("library/", StringComparison.Ordinal) && Path.IndexOf('/', 8) < 0 ? Path[8..]
        : Path;

    /// <summary>The normalised string ("docker.io/library/busybox:latest").</summary>
    public string Full => Repository + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    /// <summary>The familiar string ("busybox:latest").</summary>
    public string Familiar => FamiliarRepository + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    /// <summary>The same reference with ":latest" added when it has neither tag nor digest.</summary>
    public ImageReference WithDefaultTag() => Tag is null && Digest is null ? new(Domain, Path, DefaultTag, null) : this;

    public ImageReference WithTag(string tag) => new(Domain, Path, tag, null);

    public ImageReference WithDigest(string digest) => new(Domain, Path, null, digest);

    public override string ToString() => Full;

    public static ImageReference Parse(string value) =>
        TryParse(value, out var r, out string? why) ? r : throw EngineException.Invalid($"invalid reference format \"{value}\": {why}");

    public static bool TryParse(string value, out ImageReference reference) => TryParse(value, out reference, out _);

    public static bool TryParse(string value, out ImageReference reference, out string? error)
    {
        reference = null!;
        error = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "empty";
            return false;
        }

        string rest = value;
        string? digest = null;
        int at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!Content.Digest.TryParse(digest, out _))
            {
                error = "digest must be sha256:<64 hex>";
                return false;
            }
        }

        string? tag = null;
        int colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                error = $"tag \"{tag}\" must match [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}";
                return false;
            }
        }

        string domain = DefaultDomain;
        string path = rest;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            string first = rest[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
                || first == "localhost" || first.Any(char.IsAsciiLetterUpper))
            {
                if (!DomainPattern().IsMatch(first))
                {
                    error = $"registry \"{first}\" is not a valid host[:port]";
                    return false;
                }

                domain = first == "index.docker.io" ? DefaultDomain : first;
                path = rest[(slash + 1)..];
            }
        }

        if (path.Length == 0 || path.Split('/').Any(c => !ComponentPattern().IsMatch(c)))
        {
            error = "repository name must be lowercase letters, digits and separators (., _, __, -)";
            return false;
        }

        if (domain == DefaultDomain && !path.Contains('/', StringComparison.Ordinal))
        {
            path = "library/" + path;
        }

        if (domain.Length + 1 + path.Length > MaxNameLength)
        {
            error = $"repository name longer than {MaxNameLength} characters";
            return false;
        }

        reference = new ImageReference(domain, path, tag, digest);
        return true;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$")]
    private static partial Regex ComponentPattern();

    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();
}
