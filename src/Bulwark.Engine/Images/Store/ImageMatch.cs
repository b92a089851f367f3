using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Images.Store;

/// <summary>What a reference resolved to: the image, the tag key it was found by (if any), and whether by digest.</summary>
internal readonly record struct ImageMatch(ImageRow Row, string? Tag, bool ByDigest);
