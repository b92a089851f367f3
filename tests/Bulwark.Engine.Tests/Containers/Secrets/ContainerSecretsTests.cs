using System.Text;
using Bulwark.Engine.Containers.Secrets;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Secrets;
using Bulwark.Engine.Security.UserNamespaces;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Containers.Secrets;

public sealed class ContainerSecretsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bulwark-secrets-test").FullName;
    private readonly SecretStore _store;
    private readonly ContainerSecrets _secrets;

    public ContainerSecretsTests()
    {
        _store = new SecretStore(_root);
        _store.Create("db", Encoding.UTF8.GetBytes("pw"), new Dictionary<string, string>());
        _store.Create("api", Encoding.UTF8.GetBytes("key"), new Dictionary<string, string>());
        var options = new EngineOptions { DataRoot = _root, ExecRoot = Path.Combine(_root, "x"), MonitorPath = "/nonexistent" };
        _secrets = new ContainerSecrets(options, null!, _store, NullLogger.Instance);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Resolve_Defaults_NameAsTargetRootOwned0444_MappedThroughTheUserNamespace()
    {
        var a = Assert.Single(_secrets.Resolve([new SecretMountSpec { Secret = "db" }], new IdMapping("bulwark", 100000, 200000, 65536)));

        Assert.Equal(("db", "/run/secrets/db", 0u, 0u, 100000u, 200000u, 0x124), (a.Name, a.Target, a.Uid, a.Gid, a.HostUid, a.HostGid, a.Mode));
        Assert.Equal((100000u, 200000u), (a.RootHostUid, a.RootHostGid));
    }

    [Fact]
    public void Resolve_OwnerModeAndTarget_Kept_NoUserNamespace_HostIdsAreTheIds()
    {
        var a = Assert.Single(_secrets.Resolve(
            [new SecretMountSpec { Secret = "api", Target = "/run/secrets/key.txt", Uid = 1000, Gid = 100, Mode = 0x100, Version = 1 }], null));

        Assert.Equal(("key.txt", 1000u, 100u, 1000u, 100u, 0x100), (a.FileName, a.Uid, a.Gid, a.HostUid, a.HostGid, a.Mode));
    }

    [Theory]
    [InlineData("missing", null, null, null, "secret missing not found")]
    [InlineData("db", 2L, null, null, "secret db has no version 2 (versions: 1)")]
    [InlineData("db", null, "../etc/passwd", null, "must be a file name")]
    [InlineData("db", null, "/etc/shadow", null, "must be a file name")]
    [InlineData("db", null, "/run/secrets/a/b", null, "must be a file name")]
    [InlineData("db", null, null, 0x800, "is not a permission mode")]
    public void Resolve_BadRequest_InvalidNamingTheCause(string secret, long? version, string? target, int? mode, string expected)
    {
        var ex = Assert.Throws<EngineException>(() =>
            _secrets.Resolve([new SecretMountSpec { Secret = secret, Version = version, Target = target, Mode = mode }], null));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TwoSecretsOneTarget_Invalid()
    {
        var ex = Assert.Throws<EngineException>(() =>
            _secrets.Resolve([new SecretMountSpec { Secret = "db", Target = "x" }, new SecretMountSpec { Secret = "api", Target = "/run/secrets/x" }], null));

        Assert.Contains("two secrets target the same file /run/secrets/x", ex.Message, StringComparison.Ordinal);
    }
}
