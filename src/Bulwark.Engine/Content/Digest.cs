using System.Security.Cryptography;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Content;

/// <summary>A content digest, "sha256:&lt;64 lowercase hex&gt;" (the only algorithm accepted).</summary>
public readonly record struct Digest
{
    private const string Prefix = "sha256:";

    private Digest(string value)
    {
        Value = value;
    }

    public string Value { get; }

    /// <summary>The 64 hex characters after "sha256:".</summary>
    public string Hex => Value[Prefix.Length..];

    /// <summary>The first 12 hex characters, as Docker shows ids.</summary>
    public string Short => Hex[..12];

    public static Digest Parse(string value) =>
        TryParse(value, out var d) ? d : throw EngineException.Invalid($"invalid digest \"{value}\": expected sha256:<64 hex>");

    public static bool TryParse(string? value, out Digest digest)
    {
        digest = default;
        if (value is null || value.Length != Prefix.Length + 64 || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in value.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        digest = new Digest(value);
        return true;
    }

    public static Digest FromHex(string hex) => Parse(Prefix + hex);

    public static Digest FromHash(ReadOnlySpan<byte> sha256) => new(Prefix + Convert.ToHexStringLower(sha256));

    public static Digest Compute(ReadOnlySpan<byte> data) => FromHash(SHA256.HashData(data));

    public override string ToString() => Value ?? string.Empty;
}
