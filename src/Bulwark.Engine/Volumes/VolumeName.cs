using System.Text.RegularExpressions;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Volumes;

/// <summary>
/// Docker's local volume names: <c>[a-zA-Z0-9][a-zA-Z0-9_.-]+</c>. A name is one path component that never starts
/// with '.', so "..", "../x" and "a/b" are refused and a name can never leave <c>&lt;data-root&gt;/volumes/</c>.
/// </summary>
public static partial class VolumeName
{
    /// <summary>Names of anonymous volumes are 64 hex characters, like container ids.</summary>
    public const int AnonymousLength = 64;

    public static bool IsValid(string? name) => name is { Length: >= 2 and <= 255 } && Pattern().IsMatch(name);

    /// <summary>Throws a 400 in Docker's words ("create NAME: … includes invalid characters …") unless the name is valid.</summary>
    public static string Validate(string name, string operation = "create")
    {
        if (!IsValid(name))
        {
            throw EngineException.Invalid(
                $"{operation} {name}: \"{name}\" includes invalid characters for a local volume name, only " +
                "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        }

        return name;
    }

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
