using Bulwark.Audit.Sbom;

namespace Bulwark.Audit.Vulnerabilities;

/// <summary>Trivy's "results": the distribution's packages as one target, each binary with embedded modules as another.</summary>
internal static class ReportGroups
{
    public sealed record Group(string Target, string Class, string Type, IReadOnlyList<SbomPackage> Packages, IReadOnlyList<Finding> Findings);

    public static IReadOnlyList<Group> Of(ScanReport report)
    {
        var bill = report.Bill;
        var groups = new List<Group>();
        var os = bill.Packages.Where(p => p.Kind is PackageKind.Deb or PackageKind.Apk or PackageKind.Rpm).ToList();
        if (os.Count > 0 || bill.Os is not null)
        {
            string osName = bill.Os is { } r ? $" ({r.Id} {r.VersionId})".Replace(" )", ")", StringComparison.Ordinal) : "";
            string type = os.Count > 0 && os[0].Kind == PackageKind.Apk ? "alpine" : bill.Os?.Id ?? "unknown";
            groups.Add(new Group(bill.Image + osName, "os-pkgs", type, os, [.. report.Findings.Where(f => os.Contains(f.Package))]));
        }

        foreach (var binary in bill.Packages.Where(p => p.Kind is PackageKind.GoModule or PackageKind.RustCrate).GroupBy(p => p.Location))
        {
            var packages = binary.ToList();
            string type = packages[0].Kind == PackageKind.GoModule ? "gobinary" : "rustbinary";
            groups.Add(new Group(binary.Key, "lang-pkgs", type, packages, [.. report.Findings.Where(f => packages.Contains(f.Package))]));
        }

        return groups;
    }
}
