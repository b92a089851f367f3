using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Secrets;

/// <summary>
/// Secrets encrypted at rest: AES-256-GCM with a random nonce per secret and the secret id as associated data,
/// under a 256-bit key in <c>&lt;data-root&gt;/secrets/key</c> (mode 0600, created on first use). Values can be
/// decrypted for a container that uses them, but are never returned by the API.
/// </summary>
public sealed class SecretStore
{
    private const int MaxSecretBytes = 500 * 1024;
    private readonly string _dir;
    private readonly Lock _lock = new();
    private byte[]? _key;

    public SecretStore(string dataRoot)
    {
        _dir = Path.Combine(dataRoot, "secrets");
        Directory.CreateDirectory(_dir);
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public SecretRecord Create(string name, ReadOnlySpan<byte> value, IReadOnlyDictionary<string, string> labels)
    {
        if (!IsValidName(name))
        {
            throw EngineException.Invalid($"invalid secret name \"{name}\": use 1-64 characters [a-zA-Z0-9-_.], starting with a letter or digit");
        }
        if (value.Length == 0 || value.Length > MaxSecretBytes)
        {
            throw EngineException.Invalid($"secret data must be between 1 and {MaxSecretBytes} bytes");
        }
        lock (_lock)
        {
            if (List().Any(s => s.Name == name))
            {
                throw new EngineException(ErrorKind.AlreadyExists, $"secret {name} already exists");
            }
            var now = DateTimeOffset.UtcNow;
            var secret = new SecretRecord
            {
                Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(13))[..25],
                Name = name,
                Labels = labels,
                CreatedAt = now,
                UpdatedAt = now,
            };
            byte[] nonce = RandomNumberGenerator.GetBytes(12);
            byte[] tag = new byte[16];
            byte[] cipher = new byte[value.Length];
            using (var aes = new AesGcm(Key(), 16))
            {
                aes.Encrypt(nonce, value, cipher, tag, Encoding.ASCII.GetBytes(secret.Id));
            }
            var envelope = new SecretEnvelope { Secret = secret, Nonce = nonce, Tag = tag, Ciphertext = cipher };
            WriteAtomically(Path.Combine(_dir, secret.Id + ".json"), JsonSerializer.SerializeToUtf8Bytes(envelope, SecretJsonContext.Default.SecretEnvelope));
            return secret;
        }
    }

    public IReadOnlyList<SecretRecord> List() =>
        [.. Directory.EnumerateFiles(_dir, "*.json").Select(Load).OfType<SecretEnvelope>().Select(e => e.Secret).OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>By full id, unique id prefix, or name.</summary>
    public SecretRecord Get(string reference)
    {
        var all = List();
        var match = all.FirstOrDefault(s => s.Id == reference) ?? all.FirstOrDefault(s => s.Name == reference);
        if (match is null)
        {
            var prefixed = all.Where(s => s.Id.StartsWith(reference, StringComparison.Ordinal)).ToList();
            match = prefixed.Count == 1 ? prefixed[0] : null;
        }
        return match ?? throw EngineException.NotFound($"secret {reference} not found");
    }

    public void Remove(string reference)
    {
        lock (_lock)
        {
            var s = Get(reference);
            File.Delete(Path.Combine(_dir, s.Id + ".json"));
        }
    }

    /// <summary>The plaintext, for handing to a container; a tampered file fails authentication.</summary>
    public byte[] Reveal(string reference)
    {
        var s = Get(reference);
        var e = Load(Path.Combine(_dir, s.Id + ".json")) ?? throw EngineException.NotFound($"secret {reference} not found");
        byte[] plain = new byte[e.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(Key(), 16);
            aes.Decrypt(e.Nonce, e.Ciphertext, e.Tag, plain, Encoding.ASCII.GetBytes(s.Id));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new EngineException(ErrorKind.Internal, $"secret {s.Name}: stored value failed authentication (tampered or wrong key)");
        }
        return plain;
    }

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static SecretEnvelope? Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SecretJsonContext.Default.SecretEnvelope);
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    private byte[] Key()
    {
        if (_key is not null)
        {
            return _key;
        }
        string path = Path.Combine(_dir, "key");
        if (!File.Exists(path))
        {
            WriteAtomically(path, RandomNumberGenerator.GetBytes(32));
        }
        byte[] key = File.ReadAllBytes(path);
        if (key.Length != 32)
        {
            throw new EngineException(ErrorKind.Internal, $"secret key {path} is corrupt (expected 32 bytes)");
        }
        return _key = key;
    }

    private static void WriteAtomically(string path, byte[] content) =>
        AtomicFile.Write(path, content, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
}
