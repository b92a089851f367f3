using System.Text.Json;
using Bulwark.Audit.Images;
using Bulwark.Audit.Osv;
using Bulwark.Audit.Sbom;
using Bulwark.Client;

namespace Bulwark.Audit.Vulnerabilities;

/// <summary>
/// The scanner's facade: reads an image over the Docker API (<c>GET /images/{name}/json</c> and <c>GET /images/get</c>,
/// so it works against any Docker endpoint), builds its SBOM and matches it against the offline OSV database.
/// </summary>
public sealed class ImageScanner(DockerClient client)
{
    public async Task<SoftwareBill> BuildSbomAsync(string image, CancellationToken cancellationToken)
    {
        var inspect = await client.ImageInspectRawAsync(image, cancellationToken).ConfigureAwait(false);
        string id = inspect.TryGetProperty("Id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : "";
        using var response = await client.ImageSaveAsync([image], cancellationToken).ConfigureAwait(false);
        var (os, packages) = await ImageArchiveReader.ReadAsync(response.Body, cancellationToken).ConfigureAwait(false);
        return new SoftwareBill(image, id, os, packages);
    }

    /// <summary>Findings at or above the severities in <paramref name="severities"/> (all when null).</summary>
    public static ScanReport Match(SoftwareBill bill, OsvDatabase? database, IReadOnlySet<Severity>? severities)
    {
        if (database is null)
        {
            return new ScanReport(bill, [], DatabasePresent: false);
        }

        var findings = VulnerabilityMatcher.Match(bill, database);
        return new ScanReport(bill, [.. findings.Where(f => severities is null || severities.Contains(f.Severity))], DatabasePresent: true);
    }
}
