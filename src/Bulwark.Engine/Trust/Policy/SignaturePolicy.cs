using Bulwark.Engine.Images;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// A containers-policy.json(5) as bulwarkd enforces it: <c>default</c> and the <c>docker</c> transport's scopes. The most
/// specific scope that matches an image wins (the full reference, the repository, each parent namespace, the host, then
/// <c>*.domain</c> wildcards, then <c>""</c>, then <c>default</c>), as containers/image chooses it. Built by
/// <see cref="SignaturePolicyReader"/>.
/// </summary>
public sealed record SignaturePolicy(string Path, IReadOnlyList<PolicyRequirement> Default, IReadOnlyDictionary<string, IReadOnlyList<PolicyRequirement>> DockerScopes)
{
    /// <summary>The SHA-256 of the file's bytes (empty for a policy built in code): part of every cached verdict's key.</summary>
    public string Fingerprint { get; init; } = "";

    /// <summary>The scope that governs <paramref name="image"/> and its requirements; the scope reads as in the file.</summary>
    public (string Scope, IReadOnlyList<PolicyRequirement> Requirements) Select(ImageReference image)
    {
        foreach (string candidate in DockerScope.Candidates(image, withReference: true))
        {
            if (DockerScopes.TryGetValue(candidate, out var reqs))
            {
                return ($"transports.docker[\"{candidate}\"]", reqs);
            }
        }

        return ("default", Default);
    }
}
