namespace Bulwark.Audit.Sbom;

/// <summary>Where a package was found: a distribution's package database or a binary's embedded module list.</summary>
public enum PackageKind
{
    Deb,
    Apk,
    Rpm,
    GoModule,
    RustCrate,
}
