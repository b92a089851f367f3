using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Bulwark.Cli.Trust;

/// <summary>
/// Docker Content Trust signing keys where the docker CLI (and notary) keep them: <c>$DOCKER_CONFIG/trust/private/&lt;key id&gt;.key</c>,
/// an ECDSA P-256 key as encrypted PKCS#8 (PBES2: PBKDF2, AES-256-CBC) under a PEM with a <c>role: NAME</c> header, encrypted
/// with DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE. The key id is the SHA-256 of the public key's canonical TUF JSON, as
/// notary names the file; the public key is a PEM <c>PUBLIC KEY</c> with the same header (what <c>docker trust signer add</c> reads).
/// </summary>
internal sealed partial class TrustKeyStore(string dockerConfig)
{
    public const string PassphraseVariable = "DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE";
    public const string RootPassphraseVariable = "DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE";

    public string PrivateDirectory { get; } = Path.Combine(dockerConfig, "trust", "private");

    public static TrustKeyStore FromEnvironment(Func<string, string?> env) =>
        new(env("DOCKER_CONFIG") is { Length: > 0 } config
            ? config
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"));

    /// <summary>Refuses a signer name the docker CLI would refuse (lower-case letters, digits, '_' and '-'; not a TUF role).</summary>
    public static void ValidateName(string name)
    {
        if (!SignerName().IsMatch(name) || name is "root" or "targets" or "snapshot" or "timestamp" or "releases")
        {
            throw new CliException(1, $"invalid signer name \"{name}\": use lower-case letters, digits, '_' and '-', starting with a letter or digit, and not a TUF role name");
        }
    }

    /// <summary>The passphrase that encrypts stored keys; bulwark does not prompt.</summary>
    public static string Passphrase(Func<string, string?> env) => Passphrase(env, PassphraseVariable);

    /// <summary>The passphrase of <paramref name="variable"/> (the root key has its own, DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE).</summary>
    public static string Passphrase(Func<string, string?> env, string variable) =>
        env(variable) is { Length: > 0 } p
            ? p
            : throw new CliException(1, $"{variable} is not set: bulwark reads the passphrase for signing keys from it (it does not prompt)");

    /// <summary>notary's key id: SHA-256 (hex) of <c>{"keytype":"ecdsa","keyval":{"private":null,"public":"&lt;base64 SPKI&gt;"}}</c>.</summary>
    public static string KeyId(ECDsa key)
    {
        string canonical = "{\"keytype\":\"ecdsa\",\"keyval\":{\"private\":null,\"public\":\"" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()) + "\"}}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>Stores <paramref name="key"/> as <c>&lt;id&gt;.key</c> (0600 in a 0700 directory); returns the id. An existing file is kept.</summary>
    public string Save(ECDsa key, string role, string passphrase, string? gun = null)
    {
        string id = KeyId(key);
        Directory.CreateDirectory(PrivateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = Path.Combine(PrivateDirectory, id + ".key");
        if (File.Exists(path))
        {
            return id;
        }

        byte[] der = key.ExportEncryptedPkcs8PrivateKey(passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA1, 10_000));
        string temp = path + ".tmp-" + Path.GetRandomFileName();
        using (var file = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            file.Write(Encoding.ASCII.GetBytes(Pem("ENCRYPTED PRIVATE KEY", role, der, gun)));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path);
        return id;
    }

    public static string PublicPem(ECDsa key, string role) => Pem("PUBLIC KEY", role, key.ExportSubjectPublicKeyInfo());

    /// <summary>
    /// Reads a private key file as <c>docker trust key load</c> does: PKCS#8 (plain or encrypted with <paramref name="passphrase"/>)
    /// or SEC1 <c>EC PRIVATE KEY</c>, PEM headers allowed. Only ECDSA P-256 keys are accepted.
    /// </summary>
    public static ECDsa ReadPrivateKey(string path, string passphrase)
    {
        var (label, der) = ParsePem(File.ReadAllText(path), path);
        var key = ECDsa.Create();
        try
        {
            switch (label)
            {
                case "ENCRYPTED PRIVATE KEY":
                    key.ImportEncryptedPkcs8PrivateKey(passphrase, der, out _);
                    break;
                case "PRIVATE KEY":
                    key.ImportPkcs8PrivateKey(der, out _);
                    break;
                case "EC PRIVATE KEY":
                    key.ImportECPrivateKey(der, out _);
                    break;
                default:
                    throw new CliException(1, $"{path}: a \"{label}\" PEM block is not a private key");
            }

            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != "1.2.840.10045.3.1.7")
            {
                throw new CliException(1, $"{path}: only ECDSA P-256 keys are supported");
            }

            return key;
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new CliException(1, $"{path}: not an ECDSA P-256 private key, or the passphrase in {PassphraseVariable} does not decrypt it ({ex.Message})");
        }
        catch (CliException)
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The stored keys with their PEM headers: <c>role</c> (root, targets, a signer name) and <c>gun</c> (a repository key's repository).</summary>
    public IReadOnlyList<StoredTrustKey> List()
    {
        if (!Directory.Exists(PrivateDirectory))
        {
            return [];
        }

        var keys = new List<StoredTrustKey>();
        foreach (string path in Directory.GetFiles(PrivateDirectory, "*.key").Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(path);
            keys.Add(new StoredTrustKey(Path.GetFileNameWithoutExtension(path), path, Header(text, "role"), Header(text, "gun")));
        }

        return keys;
    }

    private static string? Header(string pem, string name)
    {
        foreach (string line in pem.Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return line[(name.Length + 1)..].Trim();
            }

            if (line.Length == 0)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>A signer's public key file (PEM <c>PUBLIC KEY</c>, headers allowed): its DER SubjectPublicKeyInfo, ECDSA P-256 only.</summary>
    public static byte[] ReadPublicKey(string path)
    {
        var (label, der) = ParsePem(File.ReadAllText(path), path);
        if (label != "PUBLIC KEY")
        {
            throw new CliException(1, $"{path}: a \"{label}\" PEM block is not a public key");
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out _);
        }
        catch (CryptographicException ex)
        {
            throw new CliException(1, $"{path}: not an ECDSA public key ({ex.Message})");
        }

        return key.KeySize == 256 && key.ExportParameters(false).Curve.Oid.Value == "1.2.840.10045.3.1.7"
            ? key.ExportSubjectPublicKeyInfo()
            : throw new CliException(1, $"{path}: only ECDSA P-256 keys are supported");
    }

    private static string Pem(string label, string role, byte[] der, string? gun = null)
    {
        var sb = new StringBuilder();
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        if (gun is not null)
        {
            sb.Append("gun: ").Append(gun).Append('\n');
        }

        sb.Append("role: ").Append(role).Append("\n\n");
        string b64 = Convert.ToBase64String(der);
        for (int i = 0; i < b64.Length; i += 64)
        {
            sb.Append(b64, i, Math.Min(64, b64.Length - i)).Append('\n');
        }

        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
    }

    /// <summary>The first PEM block: its label and body, skipping RFC 1421 headers ("role: alice") that .NET's PEM reader refuses.</summary>
    private static (string Label, byte[] Der) ParsePem(string text, string path)
    {
        var m = PemBlock().Match(text);
        if (!m.Success)
        {
            throw new CliException(1, $"{path}: no PEM block found");
        }

        var body = new StringBuilder();
        foreach (string line in m.Groups["body"].Value.Split('\n'))
        {
            string l = line.Trim();
            if (l.Length > 0 && !l.Contains(':', StringComparison.Ordinal))
            {
                body.Append(l);
            }
        }

        try
        {
            return (m.Groups["label"].Value, Convert.FromBase64String(body.ToString()));
        }
        catch (FormatException)
        {
            throw new CliException(1, $"{path}: the PEM body is not base64");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex SignerName();

    [GeneratedRegex("-----BEGIN (?<label>[A-Z ]+)-----(?<body>.*?)-----END \\k<label>-----", RegexOptions.Singleline)]
    private static partial Regex PemBlock();
}

/// <summary>One key file of the store: its id (the file name), path, and the <c>role</c> and <c>gun</c> PEM headers.</summary>
internal sealed record StoredTrustKey(string Id, string Path, string? Role, string? Gun);
