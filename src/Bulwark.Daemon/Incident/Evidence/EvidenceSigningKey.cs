using System.Security.Cryptography;

namespace Bulwark.Daemon.Incident.Evidence;

/// <summary>
/// The daemon's evidence-signing key: ECDSA P-256, kept as PKCS#8 PEM at <c>{data-root}/evidence/signing-key.pem</c>
/// (0600, directory 0700), created at first use. Signatures are over the bundle's manifest.json bytes (SHA-256,
/// IEEE P1363 r||s), the public key is published as SubjectPublicKeyInfo PEM.
/// </summary>
internal sealed class EvidenceSigningKey
{
    private readonly string _path;
    private readonly Lock _gate = new();

    public EvidenceSigningKey(string dataRoot) => _path = Path.Combine(dataRoot, "evidence", "signing-key.pem");

    /// <summary>The public key (SPKI PEM), creating the key pair when there is none yet.</summary>
    public string PublicKeyPem()
    {
        using var key = Load();
        return key.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    /// <summary>Signs <paramref name="data"/> with the daemon's key.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        using var key = Load();
        return key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private ECDsa Load()
    {
        lock (_gate)
        {
            var key = ECDsa.Create();
            if (File.Exists(_path))
            {
                key.ImportFromPem(File.ReadAllText(_path));
                return key;
            }
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            string dir = Path.GetDirectoryName(_path)!;
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string tmp = _path + ".tmp";
            using (var fs = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            using (var w = new StreamWriter(fs))
            {
                w.Write(key.ExportPkcs8PrivateKeyPem());
            }
            File.Move(tmp, _path, overwrite: true);
            return key;
        }
    }
}
