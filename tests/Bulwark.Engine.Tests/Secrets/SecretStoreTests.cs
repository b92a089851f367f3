using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Secrets;

namespace Bulwark.Engine.Tests.Secrets;

public sealed class SecretStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bw-secrets-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Create_StoresTheValueEncrypted_AndRevealReturnsIt()
    {
        var store = new SecretStore(_root);
        var s = store.Create("db-password", Encoding.UTF8.GetBytes("hunter2-plaintext"), new Dictionary<string, string> { ["app"] = "x" });
        foreach (string file in Directory.EnumerateFiles(Path.Combine(_root, "secrets")))
        {
            Assert.DoesNotContain("hunter2", Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        Assert.Equal("hunter2-plaintext", Encoding.UTF8.GetString(new SecretStore(_root).Reveal(s.Id)));
        Assert.Equal("db-password", store.Get("db-password").Name);
    }

    [Fact]
    public void Reveal_TamperedCiphertext_FailsAuthentication()
    {
        var store = new SecretStore(_root);
        var s = store.Create("api-token", "value-1234"u8, new Dictionary<string, string>());
        string file = Path.Combine(_root, "secrets", s.Id + ".json");
        string json = File.ReadAllText(file);
        int at = json.IndexOf("\"Ciphertext\":\"", StringComparison.Ordinal) + 14;
        char c = json[at] == 'A' ? 'B' : 'A';
        File.WriteAllText(file, json[..at] + c + json[(at + 1)..]);
        var ex = Assert.Throws<EngineException>(() => new SecretStore(_root).Reveal(s.Id));
        Assert.Contains("failed authentication", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_DuplicateOrInvalidName_IsRefused()
    {
        var store = new SecretStore(_root);
        store.Create("one", "x"u8, new Dictionary<string, string>());
        Assert.Equal(ErrorKind.AlreadyExists, Assert.Throws<EngineException>(() => store.Create("one", "y"u8, new Dictionary<string, string>())).Kind);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => store.Create("../etc", "y"u8, new Dictionary<string, string>())).Kind);
        store.Remove("one");
        Assert.Empty(store.List());
    }
}

public sealed class SecretStoreVersionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bw-secret-versions-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static IReadOnlyDictionary<string, string> NoLabels => new Dictionary<string, string>();

    [Fact]
    public void AddVersion_NameIsLatest_NameAtNIsThatVersion()
    {
        var store = new SecretStore(_root);
        var v1 = store.Create("api", "value-one"u8, NoLabels);
        var latest = store.AddVersion("api", "value-two"u8, null);

        Assert.Equal((v1.Id, 2L), (latest.Id, latest.Version));
        Assert.Equal([1L, 2L], latest.Versions.Select(v => v.Version));
        Assert.Equal("value-two", Encoding.UTF8.GetString(store.Reveal("api")));
        Assert.Equal("value-one", Encoding.UTF8.GetString(store.Reveal("api@1")));
        Assert.Equal("value-one", Encoding.UTF8.GetString(store.Reveal(v1.Id, 1)));
        Assert.Equal(1, store.Get("api@1").Version);
        Assert.Single(store.List());
        var missing = Assert.Throws<EngineException>(() => store.Get("api@3"));
        Assert.Equal((ErrorKind.NotFound, "secret api has no version 3 (versions: 1, 2)"), (missing.Kind, missing.Message));
    }

    [Fact]
    public void Remove_OneVersionThenTheLast_RemovesTheSecret()
    {
        var store = new SecretStore(_root);
        store.Create("api", "a"u8, NoLabels);
        store.AddVersion("api", "b"u8, null);

        store.Remove("api@1");
        Assert.Equal([2L], store.Get("api").Versions.Select(v => v.Version));
        store.Remove("api@2");
        Assert.Empty(store.List());
    }

    [Fact]
    public void Envelope_SwappedBetweenVersions_FailsAuthentication()
    {
        var store = new SecretStore(_root);
        var s = store.Create("api", "a"u8, NoLabels);
        store.AddVersion("api", "b"u8, null);
        string dir = Path.Combine(_root, "secrets");
        string v2 = File.ReadAllText(Path.Combine(dir, s.Id + ".v2.json"));
        File.WriteAllText(Path.Combine(dir, s.Id + ".v2.json"), v2.Replace("\"Version\":2", "\"Version\":1", StringComparison.Ordinal));
        File.Delete(Path.Combine(dir, s.Id + ".json"));
        File.Move(Path.Combine(dir, s.Id + ".v2.json"), Path.Combine(dir, s.Id + ".json"));

        var ex = Assert.Throws<EngineException>(() => new SecretStore(_root).Reveal("api@1"));
        Assert.Contains("failed authentication", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RotateKey_ReencryptsEveryVersion_ValuesUnchanged_NothingInClear()
    {
        var store = new SecretStore(_root);
        store.Create("api", "first-secret-value"u8, NoLabels);
        store.AddVersion("api", "second-secret-value"u8, null);
        store.Create("db", "third-secret-value"u8, NoLabels);
        string dir = Path.Combine(_root, "secrets");
        byte[] oldKey = File.ReadAllBytes(Path.Combine(dir, "key"));
        var before = Directory.GetFiles(dir, "*.json").ToDictionary(f => f, File.ReadAllBytes);

        Assert.Equal(3, store.RotateKey());

        Assert.NotEqual(oldKey, File.ReadAllBytes(Path.Combine(dir, "key")));
        Assert.False(File.Exists(Path.Combine(dir, "key.next")));
        Assert.All(before, kv => Assert.NotEqual(kv.Value, File.ReadAllBytes(kv.Key)));
        var fresh = new SecretStore(_root);
        Assert.Equal("first-secret-value", Encoding.UTF8.GetString(fresh.Reveal("api@1")));
        Assert.Equal("second-secret-value", Encoding.UTF8.GetString(fresh.Reveal("api")));
        Assert.Equal("third-secret-value", Encoding.UTF8.GetString(fresh.Reveal("db")));
        foreach (string file in Directory.EnumerateFiles(dir))
        {
            Assert.DoesNotContain("secret-value", Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RotateKey_CutShortBeforeTheKeyWasReplaced_EnvelopesUnderTheNextKeyStillOpen_AndRunningItAgainFinishes()
    {
        var store = new SecretStore(_root);
        store.Create("api", "one"u8, NoLabels);
        store.RotateKey();
        string dir = Path.Combine(_root, "secrets");
        // As after a crash between re-sealing and the final rename: the envelopes are under key.next, key is the old one.
        File.Move(Path.Combine(dir, "key"), Path.Combine(dir, "key.next"));
        File.WriteAllBytes(Path.Combine(dir, "key"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var reopened = new SecretStore(_root);
        Assert.Equal("one", Encoding.UTF8.GetString(reopened.Reveal("api")));
        Assert.Equal(1, reopened.RotateKey());
        Assert.False(File.Exists(Path.Combine(dir, "key.next")));
        Assert.Equal("one", Encoding.UTF8.GetString(new SecretStore(_root).Reveal("api")));
    }
}
