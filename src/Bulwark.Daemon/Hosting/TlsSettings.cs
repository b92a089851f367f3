namespace Bulwark.Daemon.Hosting;

/// <summary>Docker's daemon TLS flags. bulwarkd only serves TCP with mutual TLS: --tlsverify and all three files.</summary>
internal sealed record TlsSettings
{
    public bool Verify { get; init; }
    public string? CaCertFile { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }

    /// <summary>Refuses any TCP host unless mutual TLS is fully configured; there is no flag that allows plain TCP.</summary>
    public void ValidateFor(IReadOnlyList<ApiHost> hosts)
    {
        var tcp = hosts.FirstOrDefault(h => !h.IsUnix);
        if (tcp is null)
        {
            return;
        }
        if (!Verify)
        {
            throw new ArgumentException(
                $"refusing to listen on {tcp} without mutual TLS: anyone who reaches the port would control the host. " +
                "Add --tlsverify --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem (see `bulwark tls init`)");
        }
        foreach (var (flag, file) in new[] { ("--tlscacert", CaCertFile), ("--tlscert", CertFile), ("--tlskey", KeyFile) })
        {
            if (string.IsNullOrEmpty(file))
            {
                throw new ArgumentException($"--tlsverify needs {flag}");
            }
            if (!File.Exists(file))
            {
                throw new ArgumentException($"{flag} {file}: no such file");
            }
        }
    }
}
