namespace Bulwark.Api.Models.Trust;

/// <summary>
/// Bulwark extension <c>POST /images/{name}/verify</c> (<c>bulwark image verify</c>): <see cref="Key"/> is the public key file's
/// content (an OpenPGP keyring, armored or base64 of binary, or a PEM public key); <see cref="Format"/> is "simple", "cosign" or
/// null (from the key).
/// </summary>
public sealed record ImageVerifyRequest(string Key, string? Format);

/// <summary>Whether a signature by the key vouches for the image's digest; <see cref="Reason"/> says why not ("content trust: …: wrong-key: …").</summary>
public sealed record ImageVerifyResponse(string Image, string Digest, string Format, bool Verified, string? Failure, string? Reason);
