using System.Text.Json;

namespace Bulwark.Audit.Sbom;

/// <summary>SPDX 2.3 JSON: the image package DESCRIBED by the document and CONTAINS-ing every package (with its purl).</summary>
public static class SpdxWriter
{
    public static void Write(Utf8JsonWriter w, SoftwareBill bill, DateTimeOffset now, Guid serial)
    {
        w.WriteStartObject();
        w.WriteString("spdxVersion", "SPDX-2.3");
        w.WriteString("dataLicense", "CC0-1.0");
        w.WriteString("SPDXID", "SPDXRef-DOCUMENT");
        w.WriteString("name", bill.Image);
        w.WriteString("documentNamespace", $"https://bulwark.invalid/spdx/{Uri.EscapeDataString(bill.Image)}-{serial:D}");
        w.WriteStartObject("creationInfo");
        w.WriteString("created", now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteStartArray("creators");
        w.WriteStringValue("Tool: bulwark");
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartArray("packages");
        w.WriteStartObject();
        w.WriteString("SPDXID", "SPDXRef-Image");
        w.WriteString("name", bill.Image);
        w.WriteString("versionInfo", bill.ImageId);
        w.WriteString("downloadLocation", "NOASSERTION");
        w.WriteBoolean("filesAnalyzed", false);
        w.WriteString("primaryPackagePurpose", "CONTAINER");
        w.WriteEndObject();
        for (int i = 0; i < bill.Packages.Count; i++)
        {
            var p = bill.Packages[i];
            w.WriteStartObject();
            w.WriteString("SPDXID", $"SPDXRef-Package-{i}");
            w.WriteString("name", p.Name);
            w.WriteString("versionInfo", p.Version);
            w.WriteString("downloadLocation", "NOASSERTION");
            w.WriteBoolean("filesAnalyzed", false);
            w.WriteString("sourceInfo", $"found in {p.Location}");
            w.WriteStartArray("externalRefs");
            w.WriteStartObject();
            w.WriteString("referenceCategory", "PACKAGE-MANAGER");
            w.WriteString("referenceType", "purl");
            w.WriteString("referenceLocator", p.Purl);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("relationships");
        Relationship(w, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image");
        for (int i = 0; i < bill.Packages.Count; i++)
        {
            Relationship(w, "SPDXRef-Image", "CONTAINS", $"SPDXRef-Package-{i}");
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Relationship(Utf8JsonWriter w, string from, string type, string to)
    {
        w.WriteStartObject();
        w.WriteString("spdxElementId", from);
        w.WriteString("relationshipType", type);
        w.WriteString("relatedSpdxElement", to);
        w.WriteEndObject();
    }
}
