namespace Bulwark.Engine.Content;

/// <summary>A committed blob: its digest and size in bytes.</summary>
public sealed record BlobInfo(Digest Digest, long Size);
