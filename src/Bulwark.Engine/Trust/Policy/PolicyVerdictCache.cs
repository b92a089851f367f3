using System.Collections.Concurrent;
using Bulwark.Engine.Images;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// The accepted policy.json verdicts of this daemon's life, so that create and start of an image already checked do not fetch
/// and verify its signatures again. A verdict is keyed by everything the check depends on: the policy file's bytes
/// (<see cref="SignaturePolicy.Fingerprint"/>), the scope chosen, the manifest digest and the full reference asked for (tag or
/// digest included: identity rules such as matchRepoDigestOrExact depend on it). Only acceptances are kept; a refusal is
/// checked anew every time. The policy is read once at daemon start, so a changed file takes effect, and empties this
/// cache, at the next start. Bounded: past <see cref="Capacity"/> entries it starts over.
/// </summary>
public sealed class PolicyVerdictCache
{
    public const int Capacity = 4096;
    private readonly ConcurrentDictionary<string, byte> accepted = new(StringComparer.Ordinal);

    public int Count => accepted.Count;

    public static string Key(SignaturePolicy policy, string scope, ImageReference image, string digest) =>
        string.Join('\n', policy.Fingerprint, scope, digest, image.Full);

    public bool IsAccepted(string key) => accepted.ContainsKey(key);

    public void Accept(string key)
    {
        if (accepted.Count >= Capacity)
        {
            accepted.Clear();
        }

        accepted.TryAdd(key, 0);
    }
}
