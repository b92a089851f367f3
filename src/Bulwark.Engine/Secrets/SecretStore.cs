using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Secrets;

/// <summary>
/// Secrets encrypted at rest, with versions: each version is one envelope (<c>&lt;id&gt;.json</c> for version 1,
/// <c>&lt;id&gt;.v&lt;n&gt;.json</c> after it), AES-256-GCM with a random nonce and the secret id (plus <c>@n</c> from
/// version 2 on) as associated data, so an envelope cannot be passed off as another secret or version. The 256-bit key is
/// <c>&lt;data-root&gt;/secrets/key</c> (0600, created on first use); <see cref="RotateKey"/> re-encrypts every version.
/// A reference is a name, an id or a unique id prefix, optionally with <c>@VERSION</c>; without it, the latest version.
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

    /// <summary>A new secret at version 1; an existing name is refused (as Docker does).</summary>
    public SecretRecord Create(string name, ReadOnlySpan<byte> value, IReadOnlyDictionary<string, string> labels)
    {
        if (!IsValidName(name))
        {
            throw EngineException.Invalid($"invalid secret name \"{name}\": use 1-64 characters [a-zA-Z0-9-_.], starting with a letter or digit");
        }
        CheckValue(value);
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
            Seal(secret, value, Key());
            return Get(secret.Id);
        }
    }

    /// <summary>Adds the next version of an existing secret; it becomes the latest. Labels are kept unless new ones are given.</summary>
    public SecretRecord AddVersion(string reference, ReadOnlySpan<byte> value, IReadOnlyDictionary<string, string>? labels)
    {
        CheckValue(value);
        lock (_lock)
        {
            var latest = Get(StripVersion(reference));
            var now = DateTimeOffset.UtcNow;
            var next = latest with
            {
                Version = latest.Versions[^1].Version + 1,
                Labels = labels is { Count: > 0 } ? labels : latest.Labels,
                CreatedAt = now,
                UpdatedAt = now,
                Versions = [],
            };
            Seal(next, value, Key());
            return Get(latest.Id);
        }
    }

    /// <summary>Every secret at its latest version, by name.</summary>
    public IReadOnlyList<SecretRecord> List() =>
        [.. LoadAll().GroupBy(e => e.Secret.Id, StringComparer.Ordinal).Select(g => Summarize([.. g], null)).OfType<SecretRecord>()
            .OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>By full id, name or unique id prefix, with an optional <c>@VERSION</c> (default: the latest).</summary>
    public SecretRecord Get(string reference)
    {
        var (target, version) = SplitVersion(reference);
        var all = List();
        var match = all.FirstOrDefault(s => s.Id == target) ?? all.FirstOrDefault(s => s.Name == target);
        if (match is null)
        {
            var prefixed = all.Where(s => s.Id.StartsWith(target, StringComparison.Ordinal)).ToList();
            match = prefixed.Count == 1 ? prefixed[0] : null;
        }
        if (match is null)
        {
            throw EngineException.NotFound($"secret {target} not found");
        }
        if (version is long v)
        {
            if (match.Versions.All(x => x.Version != v))
            {
                throw EngineException.NotFound(
                    $"secret {match.Name} has no version {v} (versions: {string.Join(", ", match.Versions.Select(x => x.Version))})");
            }
            var envelopes = LoadAll().Where(e => e.Secret.Id == match.Id).ToList();
            return Summarize(envelopes, v)!;
        }
        return match;
    }

    /// <summary>Removes one version (<c>NAME@N</c>; the last one takes the secret with it) or, without a version, all.</summary>
    public void Remove(string reference)
    {
        lock (_lock)
        {
            var (_, version) = SplitVersion(reference);
            var s = Get(reference);
            foreach (var stored in s.Versions.Where(x => version is null || x.Version == version))
            {
                File.Delete(PathOf(s.Id, stored.Version));
            }
        }
    }

    /// <summary>The plaintext of the latest version (or <c>@VERSION</c>), for handing to a container.</summary>
    public byte[] Reveal(string reference)
    {
        var s = Get(reference);
        return Reveal(s.Id, s.Version);
    }

    /// <summary>The plaintext of one version; a tampered or swapped file fails authentication.</summary>
    public byte[] Reveal(string id, long version)
    {
        var e = Load(PathOf(id, version)) ?? throw EngineException.NotFound($"secret {id} has no version {version}");
        return Open(e, Key()) ?? throw new EngineException(ErrorKind.Internal,
            $"secret {e.Secret.Name}@{version}: stored value failed authentication (tampered or wrong key)");
    }

    /// <summary>
    /// A new key; every version of every secret is decrypted with the old one and sealed again with a fresh nonce under
    /// the new one. The new key is written to <c>key.next</c> first and renamed over <c>key</c> last; until then
    /// envelopes sealed under either key are opened (a rotation cut short by a crash is finished by running it again).
    /// </summary>
    public int RotateKey()
    {
        lock (_lock)
        {
            string next = Path.Combine(_dir, "key.next");
            byte[] oldKey = Key();
            byte[] newKey = File.Exists(next) ? File.ReadAllBytes(next) : RandomNumberGenerator.GetBytes(32);
            WriteAtomically(next, newKey);
            var envelopes = LoadAll();
            var plain = new List<(SecretRecord Secret, byte[] Value)>();
            try
            {
                foreach (var e in envelopes)
                {
                    byte[] value = Open(e, oldKey) ?? Open(e, newKey) ?? throw new EngineException(ErrorKind.Internal,
                        $"secret {e.Secret.Name}@{e.Secret.Version}: stored value failed authentication; key not rotated");
                    plain.Add((e.Secret, value));
                }
                foreach (var (secret, value) in plain)
                {
                    Seal(secret, value, newKey);
                }
            }
            finally
            {
                plain.ForEach(p => Array.Clear(p.Value));
            }
            File.Move(next, Path.Combine(_dir, "key"), overwrite: true);
            _key = newKey;
            Array.Clear(oldKey);
            return plain.Count;
        }
    }

    private static void CheckValue(ReadOnlySpan<byte> value)
    {
        if (value.Length == 0 || value.Length > MaxSecretBytes)
        {
            throw EngineException.Invalid($"secret data must be between 1 and {MaxSecretBytes} bytes");
        }
    }

    private void Seal(SecretRecord secret, ReadOnlySpan<byte> value, byte[] key)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] tag = new byte[16];
        byte[] cipher = new byte[value.Length];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(nonce, value, cipher, tag, AssociatedData(secret.Id, secret.Version));
        }
        var envelope = new SecretEnvelope { Secret = secret with { Versions = [] }, Nonce = nonce, Tag = tag, Ciphertext = cipher };
        WriteAtomically(PathOf(secret.Id, secret.Version), JsonSerializer.SerializeToUtf8Bytes(envelope, SecretJsonContext.Default.SecretEnvelope));
    }

    private byte[]? Open(SecretEnvelope e, byte[] key)
    {
        byte[] plain = new byte[e.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(e.Nonce, e.Ciphertext, e.Tag, plain, AssociatedData(e.Secret.Id, e.Secret.Version));
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            // A rotation that did not finish: this envelope may already be under the next key.
            string next = Path.Combine(_dir, "key.next");
            return key == _key && File.Exists(next) && File.ReadAllBytes(next) is { Length: 32 } pending && !pending.AsSpan().SequenceEqual(key)
                ? Open(e, pending)
                : null;
        }
    }

    /// <summary>Version 1 binds the id alone (envelopes from before versions); later versions bind id@version.</summary>
    private static byte[] AssociatedData(string id, long version) =>
        Encoding.ASCII.GetBytes(version == 1 ? id : id + "@" + version.ToString(CultureInfo.InvariantCulture));

    private string PathOf(string id, long version) =>
        Path.Combine(_dir, version == 1 ? id + ".json" : id + ".v" + version.ToString(CultureInfo.InvariantCulture) + ".json");

    /// <summary>The record at <paramref name="version"/> (null = the latest) with every version listed.</summary>
    private static SecretRecord? Summarize(List<SecretEnvelope> envelopes, long? version)
    {
        if (envelopes.Count == 0)
        {
            return null;
        }
        var ordered = envelopes.OrderBy(e => e.Secret.Version).ToList();
        var chosen = version is long v ? ordered.First(e => e.Secret.Version == v) : ordered[^1];
        return chosen.Secret with
        {
            CreatedAt = ordered[0].Secret.CreatedAt,
            UpdatedAt = chosen.Secret.CreatedAt,
            Versions = [.. ordered.Select(e => new SecretVersionInfo(e.Secret.Version, e.Secret.CreatedAt))],
        };
    }

    private static (string Target, long? Version) SplitVersion(string reference)
    {
        int at = reference.LastIndexOf('@');
        if (at <= 0)
        {
            return (reference, null);
        }
        return long.TryParse(reference.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= 1
            ? (reference[..at], v)
            : throw EngineException.Invalid($"secret {reference}: version \"{reference[(at + 1)..]}\" is not a positive number");
    }

    private static string StripVersion(string reference) => SplitVersion(reference).Target;

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private List<SecretEnvelope> LoadAll() => [.. Directory.EnumerateFiles(_dir, "*.json").Select(Load).OfType<SecretEnvelope>()];

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
