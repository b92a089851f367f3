using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Security.Policy;

namespace Bulwark.Engine.Tests.Security.Policy;

public sealed class ScanPolicyReaderTests
{
    private static DaemonPolicy Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return DaemonPolicyReader.Read(doc.RootElement);
    }

    [Fact]
    public void Read_NoScanKey_NoScanPolicy() => Assert.Null(Read("{}").Scan);

    [Fact]
    public void Read_Scan_BoundWithSeverityLowercased()
    {
        var scan = Read("""{"scan": {"max-severity": "HIGH", "db": "/var/lib/osv"}}""").Scan!;

        Assert.Equal(("high", "/var/lib/osv"), (scan.MaxSeverity, scan.Database));
        Assert.Contains("scan-max-severity=high", Read("""{"scan": {"max-severity": "high", "db": "/x"}}""").Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"scan": "high"}""", "policy \"scan\" must be an object")]
    [InlineData("""{"scan": {"max-severity": "severe", "db": "/x"}}""", "\"severe\" is not one of low, medium, high, critical")]
    [InlineData("""{"scan": {"max-severity": "unknown", "db": "/x"}}""", "\"unknown\" is not one of")]
    [InlineData("""{"scan": {"db": "/x"}}""", "policy \"scan.max-severity\" is required")]
    [InlineData("""{"scan": {"max-severity": "high"}}""", "policy \"scan.db\" is required")]
    [InlineData("""{"scan": {"max-severity": "high", "db": "osv"}}""", "policy \"scan.db\": \"osv\" is not an absolute path")]
    [InlineData("""{"scan": {"max-severity": 3, "db": "/x"}}""", "policy \"scan.max-severity\" must be a non-empty string")]
    [InlineData("""{"scan": {"max-severity": "high", "db": "/x", "mode": "warn"}}""", "unknown policy key \"scan.mode\"")]
    public void Read_BadScan_InvalidNamingTheKey(string json, string expected)
    {
        var ex = Assert.Throws<EngineException>(() => Read(json));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
