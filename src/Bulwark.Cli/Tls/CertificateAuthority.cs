using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bulwark.Cli.Tls;

/// <summary>
/// A private CA for bulwarkd's mutual TLS, as PEM files in one directory (Docker's names): <c>ca.pem</c> and
/// <c>ca-key.pem</c>, <c>server-cert.pem</c> and <c>server-key.pem</c>; client certificates go to a directory of their
/// own with <c>ca.pem</c>, <c>cert.pem</c>, <c>key.pem</c> (what DOCKER_CERT_PATH expects). ECDSA P-256; keys 0600.
/// </summary>
internal sealed class CertificateAuthority
{
    public const string CaFile = "ca.pem";
    public const string CaKeyFile = "ca-key.pem";
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey;

    private CertificateAuthority(X509Certificate2 ca, ECDsa caKey)
    {
        _ca = ca;
        _caKey = caKey;
    }

    /// <summary>Creates the CA and a server certificate for <paramref name="serverNames"/> (DNS names or IP addresses).</summary>
    public static IReadOnlyList<string> Init(string dir, IReadOnlyList<string> serverNames, int days, bool force)
    {
        string caPath = Path.Combine(dir, CaFile);
        if (File.Exists(caPath) && !force)
        {
            throw new CliException(1, $"{caPath} already exists: a new CA would invalidate every client certificate it signed (use --force to replace it)");
        }
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=Bulwark CA " + Environment.MachineName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(Math.Max(days, 3650)));
        Write(Path.Combine(dir, CaKeyFile), key.ExportPkcs8PrivateKeyPem(), Private);
        Write(caPath, ca.ExportCertificatePem(), Public);
        var authority = new CertificateAuthority(ca, key);
        string certPath = Path.Combine(dir, "server-cert.pem");
        string keyPath = Path.Combine(dir, "server-key.pem");
        authority.Issue(Environment.MachineName, serverNames, ServerAuth, days, certPath, keyPath);
        return [caPath, Path.Combine(dir, CaKeyFile), certPath, keyPath];
    }

    public static CertificateAuthority Load(string dir)
    {
        string caPath = Path.Combine(dir, CaFile);
        string keyPath = Path.Combine(dir, CaKeyFile);
        if (!File.Exists(caPath) || !File.Exists(keyPath))
        {
            throw new CliException(1, $"no CA in {dir} ({CaFile} and {CaKeyFile}): run `bulwark tls init` first");
        }
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(keyPath));
        return new CertificateAuthority(ca, key);
    }

    /// <summary>Writes <c>ca.pem</c>, <c>cert.pem</c> and <c>key.pem</c> for a client whose certificate's CN is <paramref name="name"/>.</summary>
    public IReadOnlyList<string> IssueClient(string name, string outDir, int days, bool force)
    {
        if (name.Length == 0 || name.Any(c => char.IsControl(c) || c is ',' or '=' or '+' or '"' or '\\' or '<' or '>' or ';' or '/'))
        {
            throw new CliException(125, $"invalid client name \"{name}\": use letters, digits, '.', '-', '_', '@'");
        }
        string certPath = Path.Combine(outDir, "cert.pem");
        if (File.Exists(certPath) && !force)
        {
            throw new CliException(1, $"{certPath} already exists (use --force to replace it)");
        }
        Directory.CreateDirectory(outDir);
        File.SetUnixFileMode(outDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string keyPath = Path.Combine(outDir, "key.pem");
        Issue(name, [], ClientAuth, days, certPath, keyPath);
        string caCopy = Path.Combine(outDir, CaFile);
        Write(caCopy, _ca.ExportCertificatePem(), Public);
        return [caCopy, certPath, keyPath];
    }

    private void Issue(string commonName, IReadOnlyList<string> names, Oid usage, int days, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        if (names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string n in names)
            {
                if (IPAddress.TryParse(n, out var ip))
                {
                    san.AddIpAddress(ip);
                }
                else
                {
                    san.AddDnsName(n);
                }
            }
            request.CertificateExtensions.Add(san.Build());
        }
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.AddDays(days) < _ca.NotAfter ? now.AddDays(days) : new DateTimeOffset(_ca.NotAfter);
        using var cert = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), now.AddMinutes(-5), notAfter,
            RandomNumberGenerator.GetBytes(16));
        Write(keyPath, key.ExportPkcs8PrivateKeyPem(), Private);
        Write(certPath, cert.ExportCertificatePem(), Public);
    }

    /// <summary>Creates the file with its final mode (no window where a key is readable by others), replacing any old one.</summary>
    private static void Write(string path, string pem, UnixFileMode mode)
    {
        string temp = path + ".tmp";
        File.Delete(temp);
        using (var fs = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            fs.Write(System.Text.Encoding.ASCII.GetBytes(pem + "\n"));
        }
        File.SetUnixFileMode(temp, mode);
        File.Move(temp, path, overwrite: true);
    }
}
