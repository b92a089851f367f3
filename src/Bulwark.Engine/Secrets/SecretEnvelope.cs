namespace Bulwark.Engine.Secrets;

/// <summary>What is written to disk for one secret: metadata plus AES-256-GCM nonce, tag and ciphertext.</summary>
internal sealed record SecretEnvelope
{
    public required SecretRecord Secret { get; init; }
    public required byte[] Nonce { get; init; }
    public required byte[] Tag { get; init; }
    public required byte[] Ciphertext { get; init; }
}
