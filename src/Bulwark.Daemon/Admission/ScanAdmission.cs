using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Bulwark.Audit;
using Bulwark.Audit.Images;
using Bulwark.Audit.Osv;
using Bulwark.Audit.Sbom;
using Bulwark.Audit.Vulnerabilities;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Images;
using Bulwark.Engine.Security.Admission;
using Bulwark.Engine.Security.Policy;
using Microsoft.Extensions.Logging;

namespace Bulwark.Daemon.Admission;

/// <summary>
/// daemon.json <c>"policy": {"scan": ...}</c>: before a container of an image is created, started or restarted, the
/// image's SBOM (the same reader as <c>bulwark scan</c>, fed by the image store's own save) is matched against the offline
/// OSV database, and a finding above max-severity refuses the request (403 naming the image, the worst finding and the
/// rule; an image event <c>scan-refused</c>). The verdict is cached per image id and database version (the hash of the
/// database's metadata.json, which every import rewrites), so a warm run is not rescanned and an import rescans.
/// </summary>
internal sealed partial class ScanAdmission : IImageAdmission
{
    private readonly ScanPolicy policy;
    private readonly Severity maxSeverity;
    private readonly ImageService images;
    private readonly EventBus events;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<(string ImageId, string DbVersion), Verdict> verdicts = new();
    private readonly Lock gate = new();
    private (string Version, OsvDatabase Database)? current;

    private ScanAdmission(ScanPolicy policy, ImageService images, EventBus events, ILogger logger)
    {
        this.policy = policy;
        maxSeverity = SeverityNames.Parse(policy.MaxSeverity) ?? throw EngineException.Invalid($"policy \"scan.max-severity\": unknown severity \"{policy.MaxSeverity}\"");
        this.images = images;
        this.events = events;
        this.logger = logger;
    }

    /// <summary>Opens the policy; a database that is missing or was never imported into is a start error.</summary>
    public static ScanAdmission Open(ScanPolicy policy, ImageService images, EventBus events, ILogger logger)
    {
        var admission = new ScanAdmission(policy, images, events, logger);
        if (admission.TryCurrentDatabase() is null)
        {
            throw EngineException.Invalid(
                $"policy \"scan.db\": {policy.Database} is not an OSV database (no metadata.json; create it with `bulwark scan db import FILE --db {policy.Database}`)");
        }

        return admission;
    }

    public async Task AdmitAsync(string? reference, ImageRecord image, string operation, CancellationToken ct)
    {
        string name = reference ?? (image.RepoTags.Count > 0 ? image.RepoTags[0] : image.Id);
        if (TryCurrentDatabase() is not { } db)
        {
            Refuse(name, image, operation, null,
                $"image {name}: the scan database {policy.Database} is missing, so the image cannot be checked (rule {ScanPolicy.Rule})");
            return;
        }

        var key = (image.Id, db.Version);
        if (!verdicts.TryGetValue(key, out var verdict))
        {
            verdict = await ScanAsync(image, db.Database, ct).ConfigureAwait(false);
            verdicts[key] = verdict;
            LogScanned(logger, image.Id, verdict.Packages, verdict.Worst?.Id ?? "none");
        }

        if (verdict.Worst is { } worst && worst.Severity > maxSeverity)
        {
            string severity = SeverityNames.ToText(worst.Severity).ToLowerInvariant();
            Refuse(name, image, operation, worst,
                $"image {name} has {worst.Id} in {worst.Package.Name} {worst.Package.Version} (severity {severity}), above the allowed maximum " +
                $"{policy.MaxSeverity} (rule {ScanPolicy.Rule})");
        }
    }

    private async Task<Verdict> ScanAsync(ImageRecord image, OsvDatabase database, CancellationToken ct)
    {
        var pipe = new Pipe();
        var save = Task.Run(async () =>
        {
            try
            {
                await images.SaveAsync([image.Id], pipe.Writer.AsStream(leaveOpen: true), ct).ConfigureAwait(false);
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex).ConfigureAwait(false);
            }
        }, ct);
        (OsRelease? Os, List<SbomPackage> Packages) sbom;
        try
        {
            await using var archive = pipe.Reader.AsStream();
            sbom = await ImageArchiveReader.ReadAsync(archive, ct).ConfigureAwait(false);
        }
        catch (AuditException ex)
        {
            throw new EngineException(ErrorKind.Internal, $"policy.scan: image {image.Id} could not be read for scanning: {ex.Message}");
        }
        finally
        {
            await save.ConfigureAwait(false);
        }

        var findings = VulnerabilityMatcher.Match(new SoftwareBill(image.Id, image.Id, sbom.Os, sbom.Packages), database);
        var worst = findings.OrderByDescending(f => f.Severity).ThenBy(f => f.Id, StringComparer.Ordinal).FirstOrDefault();
        return new Verdict(worst, sbom.Packages.Count);
    }

    private (string Version, OsvDatabase Database)? TryCurrentDatabase()
    {
        string metadata = Path.Combine(policy.Database, "metadata.json");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(metadata);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        string version = Convert.ToHexStringLower(SHA256.HashData(bytes));
        lock (gate)
        {
            if (current is not { } c || c.Version != version)
            {
                current = c = (version, new OsvDatabase(policy.Database)); // a fresh instance: OsvDatabase caches the files it read
                verdicts.Clear(); // verdicts of an older database are never asked for again
            }

            return c;
        }
    }

    private void Refuse(string name, ImageRecord image, string operation, Finding? worst, string message)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = name,
            ["operation"] = operation,
            ["rule"] = ScanPolicy.Rule,
            ["max-severity"] = policy.MaxSeverity,
        };
        if (worst is not null)
        {
            attributes["vulnerability"] = worst.Id;
            attributes["package"] = worst.Package.Name;
            attributes["version"] = worst.Package.Version;
            attributes["severity"] = SeverityNames.ToText(worst.Severity).ToLowerInvariant();
        }

        events.Publish(new EngineEvent("image", "scan-refused", image.Id, attributes, DateTimeOffset.UtcNow));
        LogRefused(logger, operation, message);
        throw EngineException.Forbidden(ScanPolicy.Rule, message);
    }

    private sealed record Verdict(Finding? Worst, int Packages);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation} refused: {Message}")]
    private static partial void LogRefused(ILogger logger, string operation, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "scan policy: scanned {ImageId}: {Packages} packages, worst finding {Worst}")]
    private static partial void LogScanned(ILogger logger, string imageId, int packages, string worst);
}
