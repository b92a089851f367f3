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
