using System.Text;
using System.Text.Json;
using Bulwark.Tuf;

namespace Bulwark.Engine.Tests.Trust.Tuf;

public sealed class CanonicalJsonTests
{
    private static string Encode(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Encoding.UTF8.GetString(CanonicalJson.Encode(doc.RootElement));
    }

    [Fact]
    public void KeysSortedByByte_NoWhitespace_OnlyQuoteAndBackslashEscaped()
    {
        Assert.Equal("{\"B\":[1,true,null],\"a\":\"x\\\"y\\\\z\u00e9\n<\"}", Encode("{ \"a\": \"x\\\"y\\\\z\\u00e9\\n\\u003c\", \"B\": [1, true, null] }"));
    }

    [Fact]
    public void FractionalNumber_IsRefused()
    {
        Assert.Throws<TufException>(() => Encode("{\"a\":1.5}"));
    }

    [Fact]
    public void KeyId_IsTheSha256OfTheCanonicalKeyObject()
    {
        // Recomputed independently: sha256 of {"keytype":"ed25519","keyval":{"private":null,"public":"AAAA"}}.
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            Encoding.UTF8.GetBytes(Encode("{\"keyval\":{\"public\":\"AAAA\",\"private\":null},\"keytype\":\"ed25519\"}"))));
        Assert.Equal(expected, TufKey.IdOf("ed25519", "AAAA"));
    }
}
