using Bulwark.Engine.Images;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// containers-registries.d(5): the <c>*.yaml</c> files of a directory, each with <c>default-docker</c> and <c>docker: {scope: ...}</c>
/// entries naming where simple-signing signatures are read (<c>lookaside</c>, formerly <c>sigstore</c>) and written
/// (<c>lookaside-staging</c>, formerly <c>sigstore-staging</c>). The most specific scope wins; with no entry at all the
/// lookaside is <c>file:///var/lib/containers/sigstore</c>, containers/image's default for root. A scope defined twice, an
/// unknown key or a URL that is not file, http or https is a <see cref="PolicyException"/>.
/// </summary>
public sealed class RegistriesDirectory
{
    public const string DefaultLookaside = "file:///var/lib/containers/sigstore";

    private readonly Dictionary<string, LookasideEntry> scopes;
    private readonly LookasideEntry? fallback;

    private RegistriesDirectory(Dictionary<string, LookasideEntry> scopes, LookasideEntry? fallback)
    {
        this.scopes = scopes;
        this.fallback = fallback;
    }

    /// <summary>No registries.d: every repository uses <see cref="DefaultLookaside"/>.</summary>
    public static RegistriesDirectory Empty { get; } = new(new Dictionary<string, LookasideEntry>(StringComparer.Ordinal), null);

    public static RegistriesDirectory Load(string directory)
    {
        if (!Path.IsPathRooted(directory) || !Directory.Exists(directory))
        {
            throw new PolicyException($"registries.d {directory}: not an existing absolute directory");
        }

        var scopes = new Dictionary<string, LookasideEntry>(StringComparer.Ordinal);
        LookasideEntry? fallback = null;
        foreach (string file in Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            try
            {
                using var reader = new StreamReader(file);
                stream.Load(reader);
            }
            catch (Exception ex) when (ex is YamlException or IOException or UnauthorizedAccessException)
            {
                throw new PolicyException($"registries.d {file}: cannot be read ({ex.Message})");
            }

            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode)
            {
                continue;
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw new PolicyException($"registries.d {file}: the top level must be a mapping");
            }

            foreach (var (k, v) in root.Children)
            {
                switch (Scalar(k))
                {
                    case "default-docker":
                        if (fallback is not null)
                        {
                            throw new PolicyException($"registries.d {file}: default-docker is defined in more than one file");
                        }

                        fallback = Entry(v, $"registries.d {file}: default-docker");
                        break;
                    case "docker":
                        if (v is not YamlMappingNode docker)
                        {
                            throw new PolicyException($"registries.d {file}: docker must be a mapping of scope → entry");
                        }

                        foreach (var (scope, entry) in docker.Children)
                        {
                            string name = Scalar(scope) ?? "";
                            if (!scopes.TryAdd(name, Entry(entry, $"registries.d {file}: docker[\"{name}\"]")))
                            {
                                throw new PolicyException($"registries.d {file}: docker[\"{name}\"] is defined more than once");
                            }
                        }

                        break;
                    case var other:
                        throw new PolicyException($"registries.d {file}: unknown key \"{other}\"");
                }
            }
        }

        return new RegistriesDirectory(scopes, fallback);
    }

    /// <summary>The entry that governs <paramref name="image"/> (most specific scope, then default-docker, then the built-in default).</summary>
    public LookasideEntry For(ImageReference image)
    {
        foreach (string candidate in DockerScope.Candidates(image, withReference: false))
        {
            if (candidate.Length > 0 && scopes.TryGetValue(candidate, out var e))
            {
                return e;
            }
        }

        return fallback ?? new LookasideEntry(new Uri(DefaultLookaside), null, false);
    }

    private static LookasideEntry Entry(YamlNode node, string where)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return new LookasideEntry(null, null, false);
        }

        if (node is not YamlMappingNode map)
        {
            throw new PolicyException($"{where} must be a mapping");
        }

        Uri? read = null, write = null;
        bool attachments = false;
        foreach (var (k, v) in map.Children)
        {
            string key = Scalar(k) ?? "";
            switch (key)
            {
                case "lookaside" or "sigstore":
                    read = Url(v, where + "." + key);
                    break;
                case "lookaside-staging" or "sigstore-staging":
                    write = Url(v, where + "." + key);
                    break;
                case "use-sigstore-attachments":
                    attachments = Scalar(v) switch
                    {
                        "true" => true,
                        "false" => false,
                        _ => throw new PolicyException($"{where}.use-sigstore-attachments must be true or false"),
                    };
                    break;
                default:
                    throw new PolicyException($"{where}: unknown key \"{key}\"");
            }
        }

        return new LookasideEntry(read, write ?? (read?.Scheme == Uri.UriSchemeFile ? read : null), attachments);
    }

    private static Uri Url(YamlNode node, string where) =>
        Scalar(node) is { } s && Uri.TryCreate(s, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeFile || u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            ? u : throw new PolicyException($"{where} must be a file://, http:// or https:// URL");

    private static string? Scalar(YamlNode node) => (node as YamlScalarNode)?.Value;
}

/// <summary>One registries.d entry: where signatures are read and written, and whether sigstore attachments are used.</summary>
public sealed record LookasideEntry(Uri? Lookaside, Uri? Staging, bool UseSigstoreAttachments);
