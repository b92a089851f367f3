using Bulwark.Engine.Images;
using Bulwark.Engine.Trust.Policy;

namespace Bulwark.Engine.Tests.Trust.Policy;

public sealed class RegistriesDirectoryTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bwregd-" + Guid.NewGuid().ToString("N")[..8]);

    public RegistriesDirectoryTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void MostSpecificScopeWins_ThenDefaultDocker_AndOldSigstoreNamesStillRead()
    {
        File.WriteAllText(Path.Combine(dir, "a.yaml"), """
            default-docker:
              lookaside: https://sigs.example/default
            docker:
              r.example:5000/team:
                lookaside: file:///srv/team
                lookaside-staging: file:///srv/team-staging
              r.example:5000:
                sigstore: http://sigs.example/r
                use-sigstore-attachments: true
            """);
        File.WriteAllText(Path.Combine(dir, "ignored.yml.txt"), "not: [yaml");

        var d = RegistriesDirectory.Load(dir);

        var team = d.For(ImageReference.Parse("r.example:5000/team/app:v1"));
        Assert.Equal(new Uri("file:///srv/team"), team.Lookaside);
        Assert.Equal(new Uri("file:///srv/team-staging"), team.Staging);
        var host = d.For(ImageReference.Parse("r.example:5000/other:v1"));
        Assert.Equal(new Uri("http://sigs.example/r"), host.Lookaside);
        Assert.True(host.UseSigstoreAttachments);
        Assert.Equal(new Uri("https://sigs.example/default"), d.For(ImageReference.Parse("q.example/x:1")).Lookaside);
    }

    [Fact]
    public void NoEntryAtAll_UsesContainersImagesRootDefault()
    {
        Assert.Equal(new Uri(RegistriesDirectory.DefaultLookaside), RegistriesDirectory.Empty.For(ImageReference.Parse("q.example/x:1")).Lookaside);
    }

    [Theory]
    [InlineData("docker:\n  r.example:\n    lookaside: ftp://x\n", "must be a file://, http:// or https:// URL")]
    [InlineData("docker:\n  r.example:\n    lookasid: file:///x\n", "unknown key \"lookasid\"")]
    [InlineData("dockr:\n  r.example: {}\n", "unknown key \"dockr\"")]
    [InlineData("docker: [\n", "cannot be read")]
    public void BadFile_IsRefusedNamingTheFile(string yaml, string expected)
    {
        File.WriteAllText(Path.Combine(dir, "bad.yaml"), yaml);

        var ex = Assert.Throws<PolicyException>(() => RegistriesDirectory.Load(dir));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir, "bad.yaml"), ex.Message, StringComparison.Ordinal);
    }
}
