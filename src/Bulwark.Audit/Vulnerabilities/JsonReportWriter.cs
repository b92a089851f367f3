using System.Text.Json;

namespace Bulwark.Audit.Vulnerabilities;

/// <summary>The JSON report, shaped like Trivy's (<c>SchemaVersion</c> 2, <c>Results[].Vulnerabilities[]</c>), with every
/// package listed under <c>Results[].Packages</c> so it doubles as a plain SBOM.</summary>
public static class JsonReportWriter
{
    public static void Write(Utf8JsonWriter w, ScanReport report, DateTimeOffset now)
    {
        var bill = report.Bill;
        w.WriteStartObject();
        w.WriteNumber("SchemaVersion", 2);
        w.WriteString("CreatedAt", now.ToUniversalTime());
        w.WriteString("ArtifactName", bill.Image);
        w.WriteString("ArtifactType", "container_image");
        w.WriteBoolean("VulnerabilityDatabase", report.DatabasePresent);
        w.WriteStartObject("Metadata");
        if (bill.Os is { } os)
        {
            w.WriteStartObject("OS");
            w.WriteString("Family", os.Id);
            w.WriteString("Name", os.VersionId);
            w.WriteEndObject();
        }

        w.WriteString("ImageID", bill.ImageId);
        w.WriteEndObject();
        w.WriteStartArray("Results");
        foreach (var group in ReportGroups.Of(report))
        {
            w.WriteStartObject();
            w.WriteString("Target", group.Target);
            w.WriteString("Class", group.Class);
            w.WriteString("Type", group.Type);
            w.WriteStartArray("Packages");
            foreach (var p in group.Packages)
            {
                w.WriteStartObject();
                w.WriteString("Name", p.Name);
                w.WriteString("Version", p.Version);
                if (p.MatchName != p.Name)
                {
                    w.WriteString("SrcName", p.MatchName);
                }

                if (p.MatchVersion != p.Version)
                {
                    w.WriteString("SrcVersion", p.MatchVersion);
                }

                if (p.Architecture is { } arch)
                {
                    w.WriteString("Arch", arch);
                }

                w.WriteString("Purl", p.Purl);
                w.WriteString("Ecosystem", p.Ecosystem);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("Vulnerabilities");
            foreach (var f in group.Findings)
            {
                w.WriteStartObject();
                w.WriteString("VulnerabilityID", f.Id);
                w.WriteStartArray("Aliases");
                foreach (var alias in f.Aliases)
                {
                    w.WriteStringValue(alias);
                }

                w.WriteEndArray();
                w.WriteString("PkgName", f.Package.Name);
                w.WriteString("InstalledVersion", f.Package.Version);
                if (f.FixedVersion is { } fixedVersion)
                {
                    w.WriteString("FixedVersion", fixedVersion);
                }

                w.WriteString("Severity", SeverityNames.ToText(f.Severity));
                w.WriteString("Title", f.Title);
                w.WriteString("PkgPath", f.Package.Location);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
