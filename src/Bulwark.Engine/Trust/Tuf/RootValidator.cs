using System.Security.Cryptography.X509Certificates;
using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Tuf;

/// <summary>
/// Decides whether a root.json may be trusted for a repository (GUN): its root keys must be usable certificates whose CN is
/// the GUN (or a <c>prefix*</c> covering it), at least one of them must match the pin, a pinned key must have signed it and
/// its own threshold must hold. A newer root is also checked against the threshold of the root it replaces.
/// </summary>
public static class RootValidator
{
    private const int MinRsaBits = 2048;

    /// <summary>Validates a root reached without a trusted predecessor (first contact, or a re-check of the cache against the pin).</summary>
    public static void ValidateAgainstPin(SignedMetadata root, string gun, PinRule pin, DateTimeOffset now, bool checkCertificateExpiry)
    {
        var (keys, roles) = TufRoles.Root(root);
        var rootRole = roles["root"];
        var usable = new Dictionary<string, TufKey>(StringComparer.Ordinal);
        var rejected = new List<string>();
        foreach (string id in rootRole.KeyIds)
        {
            if (!keys.TryGetValue(id, out var key))
            {
                continue;
            }

            string? why = CertificateProblem(key, gun, now, checkCertificateExpiry);
            if (why is null)
            {
                usable[id] = key;
            }
            else
            {
                rejected.Add($"{id[..Math.Min(12, id.Length)]}: {why}");
            }
        }

        if (usable.Count == 0)
        {
            throw new TufException(
                "could not validate the path to a trusted root: no usable root certificate" + (rejected.Count > 0 ? " (" + string.Join("; ", rejected) + ")" : ""),
                TrustFailure.WrongRoot);
        }

        var pinned = usable.Where(k => pin.Ids.Contains(pin.Kind == PinKind.CertIds ? k.Key : k.Value.CanonicalId))
            .ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
        if (pinned.Count == 0)
        {
            string shown = string.Join(", ", usable.Select(k => pin.Kind == PinKind.CertIds ? k.Key : k.Value.CanonicalId));
            throw new TufException(
                $"could not validate the path to a trusted root: the root is signed by {shown}, which {pin.Name} does not list", TrustFailure.WrongRoot);
        }

        try
        {
            root.VerifyThreshold(pinned, pinned.Keys, 1);
        }
        catch (TufException)
        {
            throw new TufException("could not validate the path to a trusted root: no pinned root key signed root.json", TrustFailure.WrongRoot);
        }

        root.VerifyThreshold(usable, rootRole.KeyIds, rootRole.Threshold);
    }

    /// <summary>Checks that <paramref name="next"/> (version N+1) is signed by the threshold of <paramref name="trusted"/>'s root keys and by its own.</summary>
    public static void ValidateRotation(SignedMetadata trusted, SignedMetadata next)
    {
        if (next.Version != trusted.Version + 1)
        {
            throw new TufException($"root rotation: version {next.Version} does not follow {trusted.Version}");
        }

        var (oldKeys, oldRoles) = TufRoles.Root(trusted);
        var (newKeys, newRoles) = TufRoles.Root(next);
        try
        {
            next.VerifyThreshold(oldKeys, oldRoles["root"].KeyIds, oldRoles["root"].Threshold);
        }
        catch (TufException ex)
        {
            throw new TufException(
                $"could not rotate trust to a new trusted root: root version {next.Version} is not signed by the previous root's keys ({ex.Message})",
                TrustFailure.WrongRoot);
        }

        next.VerifyThreshold(newKeys, newRoles["root"].KeyIds, newRoles["root"].Threshold);
    }

    /// <summary>Why a root key cannot serve as a Notary root for <paramref name="gun"/>, or null when it can.</summary>
    public static string? CertificateProblem(TufKey key, string gun, DateTimeOffset now, bool checkExpiry)
    {
        if (!key.IsCertificate)
        {
            return $"a {key.KeyType} key, root keys must be certificates";
        }

        X509Certificate2 cert;
        try
        {
            cert = key.Certificate();
        }
        catch (TufException ex)
        {
            return ex.Message;
        }

        using (cert)
        {
            string cn = cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            bool cnMatches = cn == gun || (cn.EndsWith('*') && gun.StartsWith(cn[..^1], StringComparison.Ordinal));
            if (!cnMatches)
            {
                return $"certificate CN \"{cn}\" is not the repository \"{gun}\"";
            }

            if (cert.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            {
                return "certificate is a CA";
            }

            if (checkExpiry && (cert.NotAfter.ToUniversalTime() <= now.UtcDateTime || cert.NotBefore.ToUniversalTime() > now.UtcDateTime))
            {
                return $"certificate is not valid now (valid {cert.NotBefore.ToUniversalTime():u} to {cert.NotAfter.ToUniversalTime():u})";
            }

            if (cert.SignatureAlgorithm.FriendlyName?.Contains("sha1", StringComparison.OrdinalIgnoreCase) == true)
            {
                return "certificate is signed with SHA-1";
            }

            using var rsa = cert.GetRSAPublicKey();
            if (rsa is not null && rsa.KeySize < MinRsaBits)
            {
                return $"RSA key of {rsa.KeySize} bits (at least {MinRsaBits} needed)";
            }
        }

        return null;
    }
}
