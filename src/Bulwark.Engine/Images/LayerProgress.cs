namespace Bulwark.Engine.Images;

/// <summary>Progress of one layer during a load (LayerId is the 12-character short digest).</summary>
public sealed record LayerProgress(string LayerId, long Current, long Total);
