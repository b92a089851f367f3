namespace Bulwark.Engine.Images.Layers;

/// <summary>
/// Names of the whiteout conventions. In a layer tar (OCI/AUFS form) ".wh.&lt;name&gt;" deletes &lt;name&gt; from the
/// layers below and ".wh..wh..opq" makes its directory opaque. In an unpacked snapshot (overlayfs form) a
/// whiteout is a 0:0 character device and an opaque directory carries trusted.overlay.opaque=y.
/// Fallback when mknod 0:0 is refused (no CAP_MKNOD): an empty regular file with the xattr
/// trusted.overlay.whiteout (overlayfs ≥ 6.7 reads these in lower layers when the parent directory carries
/// trusted.overlay.whiteouts), or the user.overlay.* equivalents when trusted.* cannot be written either.
/// The copy snapshotter understands all three forms.
/// </summary>
public static class Whiteouts
{
    public const string Prefix = ".wh.";
    public const string MetaPrefix = ".wh..wh.";
    public const string OpaqueMarker = ".wh..wh..opq";
    public const string OpaqueXattr = "trusted.overlay.opaque";
    public const string UserOpaqueXattr = "user.overlay.opaque";
    public const string WhiteoutXattr = "trusted.overlay.whiteout";
    public const string UserWhiteoutXattr = "user.overlay.whiteout";
    public const string ParentHasWhiteoutsXattr = "trusted.overlay.whiteouts";
    public const string UserParentHasWhiteoutsXattr = "user.overlay.whiteouts";
}
