using System.IO.Compression;
using System.Text;
using Bulwark.Audit.Sbom;

namespace Bulwark.Audit.Tests.Sbom;

public sealed class BinaryReadersTests
{
    private const string ModInfo = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:abc=\n"
        + "dep\tgithub.com/old/lib\tv1.0.0\th1:def=\n=>\tgithub.com/new/lib\tv1.2.0\th1:ghi=\nbuild\t-compiler=gc\n";

    [Fact]
    public void GoBuildInfo_Section_ModulesReplacementsAndStdlib()
    {
        var elf = TestElf.Build((".text", new byte[32]), (".go.buildinfo", TestElf.GoBuildInfo("go1.21.3", ModInfo)));

        var packages = GoBuildInfoReader.Read(elf, "/app");

        Assert.Equal(["stdlib 1.21.3", "golang.org/x/net v0.17.0", "github.com/new/lib v1.2.0"], packages.Select(p => $"{p.Name} {p.Version}"));
        Assert.All(packages, p => Assert.Equal("Go", p.Ecosystem));
        Assert.Equal("pkg:golang/golang.org/x/net@v0.17.0", packages[1].Purl);
        Assert.Equal("/app", packages[0].Location);
    }

    [Fact]
    public void GoBuildInfo_StrippedSectionHeaders_FoundByAlignedMagic()
    {
        var data = new byte[64].Concat(TestElf.GoBuildInfo("go1.22.0", ModInfo)).Concat(new byte[40]).ToArray();
        "\u007fELF"u8.CopyTo(data);
        data[4] = 2;
        data[5] = 1;

        var packages = GoBuildInfoReader.Read(data, "/app");

        Assert.Contains(packages, p => p.Name == "stdlib" && p.Version == "1.22.0");
    }

    [Fact]
    public void GoBuildInfo_NotGo_Nothing() => Assert.Empty(GoBuildInfoReader.Read(TestElf.Build((".text", new byte[100])), "/x"));

    [Fact]
    public void CargoAuditable_DepSection_CratesIoPackagesMatchable()
    {
        const string json = """{"packages":[{"name":"app","version":"0.1.0","source":"local","root":true},{"name":"smallvec","version":"1.6.1","source":"crates.io"}]}""";
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(Encoding.UTF8.GetBytes(json));
        }

        var elf = TestElf.Build((".dep-v0", compressed.ToArray()));

        var packages = CargoAuditableReader.Read(elf, "/usr/bin/app");

        Assert.Equal(2, packages.Count);
        Assert.Equal("", packages[0].Ecosystem);
        Assert.Equal("crates.io", packages[1].Ecosystem);
        Assert.Equal("pkg:cargo/smallvec@1.6.1", packages[1].Purl);
    }

    [Fact]
    public void CargoAuditable_CorruptSection_Nothing() =>
        Assert.Empty(CargoAuditableReader.Read(TestElf.Build((".dep-v0", [1, 2, 3, 4, 5])), "/x"));
}
