using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Trust;

namespace Bulwark.Engine.Tests.Trust;

public sealed class ContentTrustOptionsReaderTests
{
    private static readonly string IdA = new('a', 64);
    private static readonly string IdB = new('b', 64);

    private static ContentTrustOptions Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ContentTrustOptionsReader.Read(doc.RootElement);
    }

    private static string Refusal(string json) => Assert.Throws<EngineException>(() => Read(json)).Message;

    [Fact]
    public void EnterpriseFormat_IsBoundVerbatim()
    {
        string ca = Path.GetTempFileName();
        try
        {
            var o = Read($$$"""
                {"mode": "enforced",
                 "trust-pinning": {"root-keys": {"r.example:5000/team/*": ["{{{IdA}}}"]}, "cert-ids": {"r.example:5000/team/app": ["{{{IdB}}}"]}},
                 "trust-servers": {"r.example:5000": {"url": "https://notary.example:4443", "ca-file": "{{{ca}}}"}},
                 "allow-expired-cached-trust-data": true}
                """);
            Assert.Equal(ContentTrustMode.Enforced, o.Mode);
            Assert.Equal([IdA], o.Pinning.RootKeys["r.example:5000/team/*"]);
            Assert.Equal([IdB], o.Pinning.CertIds["r.example:5000/team/app"]);
            Assert.Equal(new Uri("https://notary.example:4443"), o.TrustServers["r.example:5000"].Url);
            Assert.Equal(ca, o.TrustServers["r.example:5000"].CaFile);
            Assert.True(o.AllowExpiredCachedTrustData);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public void Default_IsDisabled()
    {
        Assert.Equal(ContentTrustMode.Disabled, Read("{}").Mode);
    }

    [Theory]
    [InlineData("""{"mode": "strict"}""", "\"content-trust.mode\": unknown mode \"strict\"")]
    [InlineData("""{"mode": "enforced"}""", "trust pinning cannot be empty")]
    [InlineData("""{"mode": "enforced", "trust-pinning": {"root-keys": {"r/*": []}}}""", "\"content-trust.trust-pinning.root-keys[\"r/*\"]\": an empty pin is not allowed")]
    [InlineData("""{"mode": "enforced", "trust-pinning": {"root-keys": {"r/*": ["abc"]}}}""", "\"abc\" is not a key id")]
    [InlineData("""{"mode": "enforced", "trust-pinning": {"cert-ids": {"r/*": ["abc"]}}}""", "cert-ids take an exact repository")]
    [InlineData("""{"mode": "enforced", "trust-pinning": {"root-keys": {"r/*/x": ["abc"]}}}""", "a wildcard may only end the scope")]
    [InlineData("""{"mode": "enforced", "trust-pinning": {"rootkeys": {}}}""", "unknown content-trust.trust-pinning key \"rootkeys\"")]
    [InlineData("""{"trust-servers": {"r": {"url": "http://n.example"}}}""", "\"content-trust.trust-servers[\"r\"].url\" must be an https URL")]
    [InlineData("""{"trust-servers": {"r": {"url": "https://n.example", "ca-file": "/nonexistent/ca.pem"}}}""", "/nonexistent/ca.pem does not exist")]
    [InlineData("""{"allow-expired-cached-trust-data": "yes"}""", "\"content-trust.allow-expired-cached-trust-data\" must be true or false")]
    [InlineData("""{"pinning": {}}""", "unknown content-trust key \"pinning\"")]
    public void BadConfig_IsRefusedNamingTheKey(string json, string expected)
    {
        Assert.Contains(expected, Refusal(json), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingPolicyFile_IsRefusedNamingTheKeyAndTheFile()
    {
        string message = Refusal("""{"mode": "enforced", "policy": "/nonexistent/policy.json"}""");
        Assert.Contains("\"content-trust.policy\"", message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/policy.json", message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyAlone_SatisfiesEnforcedModeWithoutTrustPinning()
    {
        string policy = Path.GetTempFileName();
        try
        {
            File.WriteAllText(policy, """{"default": [{"type": "reject"}]}""");
            var o = Read($$"""{"mode": "enforced", "policy": "{{policy}}"}""");
            Assert.NotNull(o.Policy);
            Assert.True(o.Pinning.IsEmpty);
        }
        finally
        {
            File.Delete(policy);
        }
    }
}
