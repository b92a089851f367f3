using Bulwark.Daemon.Hosting;
using Bulwark.Engine.Trust;

namespace Bulwark.Daemon.Tests.Hosting;

public sealed class DaemonOptionsContentTrustTests : IDisposable
{
    private readonly string config = Path.GetTempFileName();

    public void Dispose() => File.Delete(config);

    [Fact]
    public void ContentTrustKey_IsBoundIntoTheDaemonOptions()
    {
        File.WriteAllText(config, "{\"content-trust\": {\"mode\": \"permissive\", \"trust-pinning\": {\"root-keys\": {\"r:5000/*\": [\"" + new string('c', 64) + "\"]}}}}");
        var o = DaemonOptions.Parse(["--config", config]);
        Assert.Equal(ContentTrustMode.Permissive, o.ContentTrust.Mode);
        Assert.Equal("trust-pinning.root-keys[\"r:5000/*\"]", o.ContentTrust.Pinning.Find("r:5000/team/app")!.Name);
    }

    [Fact]
    public void BadContentTrust_IsAStartErrorNamingTheFileAndTheKey()
    {
        File.WriteAllText(config, """{"content-trust": {"mode": "enforced", "trust-pinning": {"cert-ids": {"r:5000/app": []}}}}""");
        var e = Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["--config", config]));
        Assert.Equal($"configuration file {config}: \"content-trust.trust-pinning.cert-ids[\"r:5000/app\"]\": an empty pin is not allowed " +
            "(it would trust nothing and hide the repository from wider rules)", e.Message);
    }

    [Fact]
    public void WithoutContentTrust_TrustIsDisabled()
    {
        File.WriteAllText(config, "{}");
        Assert.Equal(ContentTrustMode.Disabled, DaemonOptions.Parse(["--config", config]).ContentTrust.Mode);
    }
}
