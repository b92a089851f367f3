using System.Text.Json;
using Bulwark.Audit.Vulnerabilities;

namespace Bulwark.Audit.Sbom;

/// <summary>CycloneDX 1.5 JSON: the image as the described component, each package a library with its purl, and the
/// findings (when a database was used) as <c>vulnerabilities</c> that reference the affected components.</summary>
public static class CycloneDxWriter
{
    public static void Write(Utf8JsonWriter w, ScanReport report, DateTimeOffset now, Guid serial)
    {
        var bill = report.Bill;
        w.WriteStartObject();
        w.WriteString("bomFormat", "CycloneDX");
        w.WriteString("specVersion", "1.5");
        w.WriteString("serialNumber", "urn:uuid:" + serial.ToString("D"));
        w.WriteNumber("version", 1);
        w.WriteStartObject("metadata");
        w.WriteString("timestamp", now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteStartObject("tools");
        w.WriteStartArray("components");
        w.WriteStartObject();
        w.WriteString("type", "application");
        w.WriteString("name", "bulwark");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("component");
        w.WriteString("bom-ref", "image");
        w.WriteString("type", "container");
        w.WriteString("name", bill.Image);
        w.WriteString("version", bill.ImageId);
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartArray("components");
        if (bill.Os is { } os)
        {
            w.WriteStartObject();
            w.WriteString("bom-ref", "os");
            w.WriteString("type", "operating-system");
            w.WriteString("name", os.Id);
            w.WriteString("version", os.VersionId);
            w.WriteString("description", os.PrettyName);
            w.WriteEndObject();
        }

        foreach (var ref_ in Refs(bill))
        {
            var p = ref_.Package;
            w.WriteStartObject();
            w.WriteString("bom-ref", ref_.Ref);
            w.WriteString("type", "library");
            w.WriteString("name", p.Name);
            w.WriteString("version", p.Version);
            w.WriteString("purl", p.Purl);
            w.WriteStartArray("properties");
            Property(w, "bulwark:package:type", p.Kind.ToString().ToLowerInvariant());
            Property(w, "bulwark:package:location", p.Location);
            if (p.MatchName != p.Name)
            {
                Property(w, "bulwark:package:source-name", p.MatchName);
            }

            if (p.MatchVersion != p.Version)
            {
                Property(w, "bulwark:package:source-version", p.MatchVersion);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();

        if (report.DatabasePresent)
        {
            var refs = new Dictionary<SbomPackage, string>(Refs(bill).Select(r => KeyValuePair.Create(r.Package, r.Ref)), ReferenceEqualityComparer.Instance);
            w.WriteStartArray("vulnerabilities");
            foreach (var f in report.Findings)
            {
                w.WriteStartObject();
                w.WriteString("id", f.Id);
                w.WriteStartObject("source");
                w.WriteString("name", "OSV");
                w.WriteEndObject();
                w.WriteStartArray("ratings");
                w.WriteStartObject();
                w.WriteString("severity", f.Severity == Severity.Unknown ? "unknown" : SeverityNames.ToText(f.Severity).ToLowerInvariant());
                w.WriteEndObject();
                w.WriteEndArray();
                if (f.Title.Length > 0)
                {
                    w.WriteString("description", f.Title);
                }

                if (f.FixedVersion is { } fixedVersion)
                {
                    w.WriteString("recommendation", "Upgrade " + f.Package.Name + " to " + fixedVersion);
                }

                w.WriteStartArray("affects");
                w.WriteStartObject();
                w.WriteString("ref", refs[f.Package]);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static IEnumerable<(SbomPackage Package, string Ref)> Refs(SoftwareBill bill) =>
        bill.Packages.Select((p, i) => (p, $"pkg-{i}:{p.Purl}"));

    private static void Property(Utf8JsonWriter w, string name, string value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("value", value);
        w.WriteEndObject();
    }
}
