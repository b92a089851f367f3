using Bulwark.Engine.Images;
using Bulwark.Engine.Trust.Policy;

namespace Bulwark.Engine.Tests.Trust.Policy;

public sealed class SignaturePolicyReaderTests
{
    private static readonly string Gpg = PolicyFixtures.Dir("gpg", "signer.gpg");
    private static readonly string Cosign = PolicyFixtures.Dir("cosign", "cosign.pub");

    private static SignaturePolicy Read(string json) => SignaturePolicyReader.Read("/etc/policy.json", System.Text.Encoding.UTF8.GetBytes(json));

    private static string Refusal(string json) => Assert.Throws<PolicyException>(() => Read(json)).Message;

    [Fact]
    public void MostSpecificDockerScope_Wins_AsContainersImageChoosesIt()
    {
        var p = Read($$$"""
            {"default": [{"type": "reject"}],
             "transports": {"docker": {
               "": [{"type": "insecureAcceptAnything"}],
               "*.example.com": [{"type": "reject"}],
               "r.example.com:5000": [{"type": "insecureAcceptAnything"}],
               "r.example.com:5000/team": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "{{{Gpg}}}"}],
               "r.example.com:5000/team/app": [{"type": "sigstoreSigned", "keyPath": "{{{Cosign}}}", "signedIdentity": {"type": "matchRepository"}}],
               "r.example.com:5000/team/app:pinned": [{"type": "reject"}]
             },
             "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]} } }
            """);

        string Scope(string image) => p.Select(ImageReference.Parse(image)).Scope;
        Assert.Equal("transports.docker[\"r.example.com:5000/team/app:pinned\"]", Scope("r.example.com:5000/team/app:pinned"));
        Assert.Equal("transports.docker[\"r.example.com:5000/team/app\"]", Scope("r.example.com:5000/team/app:v1"));
        Assert.Equal("transports.docker[\"r.example.com:5000/team\"]", Scope("r.example.com:5000/team/other:v1"));
        Assert.Equal("transports.docker[\"r.example.com:5000\"]", Scope("r.example.com:5000/solo:v1"));
        Assert.Equal("transports.docker[\"*.example.com\"]", Scope("other.example.com/x:v1"));
        Assert.Equal("transports.docker[\"\"]", Scope("127.0.0.1:5000/x:v1"));
        Assert.IsType<SigstoreSigned>(p.Select(ImageReference.Parse("r.example.com:5000/team/app:v1")).Requirements[0]);
    }

    [Fact]
    public void WithoutDockerScopes_TheDefaultApplies()
    {
        var p = Read("""{"default": [{"type": "reject"}]}""");

        var (scope, reqs) = p.Select(ImageReference.Parse("127.0.0.1:5000/x:v1"));
        Assert.Equal("default", scope);
        Assert.IsType<RejectAll>(Assert.Single(reqs));
    }

    [Fact]
    public void KeyData_IsTheBase64OfAKeyring()
    {
        string data = Convert.ToBase64String(File.ReadAllBytes(Gpg));

        var p = Read($$$"""{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "{{{data}}}", "signedIdentity": {"type": "exactReference", "dockerReference": "r.example/app:v1"}}]}""");

        var req = Assert.IsType<SignedBy>(p.Default[0]);
        Assert.Equal(SignedIdentityKind.ExactReference, req.Identity.Kind);
    }

    [Fact]
    public void FulcioOrRekor_IsRefusedNamingTheKey()
    {
        string message = Refusal($$$"""{"default": [{"type": "sigstoreSigned", "fulcio": {"caPath": "/ca.pem", "oidcIssuer": "https://o", "subjectEmail": "a@b"}, "rekorPublicKeyPath": "/r.pub"}]}""");
        Assert.Contains("\"fulcio\" is not supported", message, StringComparison.Ordinal);
        Assert.Contains("/etc/policy.json", message, StringComparison.Ordinal);
        Assert.Contains("Rekor", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"transports": {}}""", "\"default\" is missing")]
    [InlineData("""{"default": [{"type": "reject"}], "x": 1}""", "unknown field \"x\"")]
    [InlineData("""{"default": []}""", "non-empty array")]
    [InlineData("""{"default": [{"type": "insecureAcceptAnything", "keyPath": "/k"}]}""", "unknown field \"keyPath\" in insecureAcceptAnything")]
    [InlineData("""{"default": [{"type": "signedBy", "keyType": "X509Certificates", "keyPath": "/k"}]}""", "keyType \"X509Certificates\" is not supported")]
    [InlineData("""{"default": [{"type": "signedBy", "keyType": "GPGKeys"}]}""", "exactly one of keyPath, keyPaths, keyData is required")]
    [InlineData("""{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "relative.gpg"}]}""", "must be an absolute path")]
    [InlineData("""{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/nonexistent/k.gpg"}]}""", "/nonexistent/k.gpg cannot be read")]
    [InlineData("""{"default": [{"type": "signedBaseLayer"}]}""", "\"signedBaseLayer\" is not supported")]
    [InlineData("""{"default": [{"type": "acceptAll"}]}""", "unknown requirement type \"acceptAll\"")]
    [InlineData("""{"default": [{"type": "reject"}], "transports": {"docker": {"r/*": [{"type": "reject"}]}}}""", "invalid scope")]
    [InlineData("""{"default": [{"type": "sigstoreSigned", "keyData": "!!"}]}""", "\"keyData\" is not base64")]
    public void BadPolicy_IsRefusedNamingTheFileAndTheCause(string json, string expected)
    {
        string message = Refusal(json);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Contains("/etc/policy.json", message, StringComparison.Ordinal);
    }

    [Fact]
    public void CosignKeyFileThatIsAGpgKeyring_IsRefusedNamingTheFile()
    {
        Assert.Contains(Gpg, Refusal($$$"""{"default": [{"type": "sigstoreSigned", "keyPath": "{{{Gpg}}}"}]}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void ExactReferenceWithoutTag_IsRefused()
    {
        Assert.Contains("must carry a tag or a digest", Refusal($$$"""{"default": [{"type": "sigstoreSigned", "keyPath": "{{{Cosign}}}", "signedIdentity": {"type": "exactReference", "dockerReference": "r.example/app"}}]}"""),
            StringComparison.Ordinal);
    }
}
