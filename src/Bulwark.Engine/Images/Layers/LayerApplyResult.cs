using Bulwark.Engine.Content;

namespace Bulwark.Engine.Images.Layers;

/// <summary>What unpacking one layer produced: the diff id (digest of the uncompressed tar) and content size.</summary>
public sealed record LayerApplyResult(Digest DiffId, long Size, LayerCompression Compression);
