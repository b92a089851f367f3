using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Tuf;

namespace Bulwark.Engine.Tests.Trust.Tuf;

public sealed class MetadataWriterTests
{
    [Fact]
    public void Sign_WritesSignedBeforeSignatures_InGoOrder_AndTheSignatureVerifies()
    {
        using var key = TufSigningKey.Plain(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var signed = new JsonObject
        {
            ["_type"] = "Targets",
            ["version"] = 3,
            ["expires"] = MetadataWriter.Expiry(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero)),
            ["targets"] = new JsonObject { ["v1"] = MetadataWriter.FileMetaObject(new byte[32], 410) },
            ["delegations"] = new JsonObject { ["keys"] = new JsonObject(), ["roles"] = new JsonArray() },
        };

        byte[] file = MetadataWriter.Sign(signed, [key]);

        string text = Encoding.UTF8.GetString(file);
        Assert.StartsWith("{\"signed\":{\"_type\":\"Targets\",\"delegations\":{\"keys\":{},\"roles\":[]},\"expires\":\"2030-01-02T03:04:05Z\",", text, StringComparison.Ordinal);
        Assert.Contains("},\"signatures\":[{\"keyid\":\"" + key.Id + "\",\"method\":\"ecdsa\",\"sig\":\"", text, StringComparison.Ordinal);
        var parsed = SignedMetadata.Parse("targets", file);
        parsed.VerifyThreshold(new Dictionary<string, TufKey> { [key.Id] = key.Public }, [key.Id], 1);
        Assert.Equal(3, parsed.Version);
        Assert.Equal(64, parsed.Signatures[0].Signature.Length); // r‖s, not DER
    }

    [Fact]
    public void Sign_ByAnotherKey_FailsTheThreshold()
    {
        using var key = TufSigningKey.Plain(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        using var other = TufSigningKey.Plain(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        var signed = new JsonObject { ["_type"] = "Targets", ["version"] = 1, ["expires"] = "2030-01-01T00:00:00Z", ["targets"] = new JsonObject() };
        var parsed = SignedMetadata.Parse("targets", MetadataWriter.Sign(signed, [other]));
        Assert.Throws<TufException>(() => parsed.VerifyThreshold(new Dictionary<string, TufKey> { [key.Id] = key.Public }, [key.Id], 1));
    }
}
