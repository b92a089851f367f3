namespace Bulwark.Audit.Versions;

/// <summary>Chooses the version ordering for an OSV ecosystem (the part before the first colon).</summary>
public static class VersionComparers
{
    /// <summary>The comparer for <paramref name="ecosystem"/>, or null when Bulwark does not know its ordering.</summary>
    public static IVersionComparer? ForEcosystem(string ecosystem)
    {
        int colon = ecosystem.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? ecosystem : ecosystem[..colon];
        return name switch
        {
            "Debian" or "Ubuntu" => DebianVersionComparer.Instance,
            "Alpine" => ApkVersionComparer.Instance,
            "Red Hat" or "AlmaLinux" or "Rocky Linux" or "openSUSE" or "SUSE" or "Mageia" or "Photon OS" => RpmVersionComparer.Instance,
            "Go" or "crates.io" or "npm" => SemanticVersionComparer.Instance,
            _ => null,
        };
    }
}
