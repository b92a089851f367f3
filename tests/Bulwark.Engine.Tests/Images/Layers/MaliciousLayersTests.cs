using System.Formats.Tar;
using System.Security.Cryptography;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Layers;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Images.Layers;

/// <summary>
/// Hostile layers generated in code. Each is unpacked next to a sentinel directory; whatever the outcome
/// (refusal or neutralisation), nothing may appear outside the snapshot directory.
/// Every case runs with openat2 and with the O_NOFOLLOW walker.
/// </summary>
public sealed class MaliciousLayersTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();
    private readonly string snap;
    private readonly string sentinel;
    private readonly byte[] passwdHash = SHA256.HashData(File.ReadAllBytes("/etc/passwd"));

    public MaliciousLayersTests()
    {
        snap = scratch.Sub("snap");
        sentinel = scratch.Sub("sentinel");
    }

    public static TheoryData<bool> Resolvers => new() { true, false };

    public void Dispose() => scratch.Dispose();

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_DotDotEscape_RefusedNamingEntry(bool openat2)
    {
        var tar = new LayerTarBuilder().File("ok", "x").File("../sentinel/escaped", "pwned").Build();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, openat2));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("layer test-layer: ../sentinel/escaped: path escapes the layer root", ex.Message, StringComparison.Ordinal);
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_NestedDotDotEscape_Refused(bool openat2)
    {
        var tar = new LayerTarBuilder().File("a/b/../../../escaped", "pwned").Build();
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => Apply(tar, openat2)).Kind);
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_AbsolutePath_WrittenInsideSnapshot(bool openat2)
    {
        string abs = Path.Combine(sentinel, "abs-file");
        var tar = new LayerTarBuilder().File(abs, "inside").File("/etc/passwd", "root::0:0::/:/bin/sh").Build();
        Apply(tar, openat2);
        Assert.Equal("inside", File.ReadAllText(Path.Combine(snap, abs.TrimStart('/'))));
        Assert.Equal("root::0:0::/:/bin/sh", File.ReadAllText(Path.Combine(snap, "etc/passwd")));
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_RelativeSymlinkOutThenWriteThroughIt_StaysInside(bool openat2)
    {
        var tar = new LayerTarBuilder()
            .Symlink("link", "../sentinel")
            .File("link/pwned", "pwned")
            .Build();
        Apply(tar, openat2);
        Assert.Equal("pwned", File.ReadAllText(Path.Combine(snap, "sentinel/pwned")));
        Assert.Equal("../sentinel", new FileInfo(Path.Combine(snap, "link")).LinkTarget);
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_AbsoluteSymlinkToSentinelThenWrite_NeverOutside(bool openat2)
    {
        var tar = new LayerTarBuilder()
            .Symlink("link", sentinel)
            .File("link/pwned", "pwned")
            .Build();
        try
        {
            Apply(tar, openat2);
        }
        catch (EngineException ex)
        {
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.Contains("link/pwned", ex.Message, StringComparison.Ordinal);
        }

        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_SymlinkToRootThenFileUnderIt_ResolvedInsideSnapshot(bool openat2)
    {
        var tar = new LayerTarBuilder()
            .Symlink("rootlink", "/")
            .File("rootlink/etc/evil", "evil")
            .File("rootlink/../../../../escaped", "evil2")
            .Build();
        try
        {
            Apply(tar, openat2);
        }
        catch (EngineException ex)
        {
            Assert.Contains("escapes", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal("evil", File.ReadAllText(Path.Combine(snap, "etc/evil")));
        Assert.False(File.Exists("/etc/evil"));
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_SymlinkChainThroughDotDot_StaysInside(bool openat2)
    {
        var tar = new LayerTarBuilder()
            .Dir("d")
            .Symlink("d/up", "../../../../../../")
            .File("d/up/" + sentinel.TrimStart('/') + "/pwned", "pwned")
            .Build();
        Apply(tar, openat2);
        Assert.True(File.Exists(Path.Combine(snap, sentinel.TrimStart('/'), "pwned")));
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_FileOverSymlink_ReplacesLinkInsteadOfFollowing(bool openat2)
    {
        string target = Path.Combine(sentinel, "victim");
        var tar = new LayerTarBuilder().Symlink("f", target).File("f", "replaced").Build();
        Apply(tar, openat2);
        Assert.Null(new FileInfo(Path.Combine(snap, "f")).LinkTarget);
        Assert.Equal("replaced", File.ReadAllText(Path.Combine(snap, "f")));
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_HardlinkToEtcPasswd_Refused(bool openat2)
    {
        var tar = new LayerTarBuilder().Hardlink("pw", "/etc/passwd").Build();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, openat2));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("layer test-layer: pw: hardlink target \"/etc/passwd\" is not a file in this layer", ex.Message, StringComparison.Ordinal);
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_HardlinkDotDotOutside_Refused(bool openat2)
    {
        var tar = new LayerTarBuilder().Hardlink("pw", "../../../../../../etc/passwd").Build();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, openat2));
        Assert.Contains("escapes the layer root", ex.Message, StringComparison.Ordinal);
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_HardlinkThroughSymlink_Refused(bool openat2)
    {
        var tar = new LayerTarBuilder().Symlink("l", "/etc").Hardlink("pw", "l/passwd").Build();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, openat2));
        Assert.Contains("is not a file in this layer", ex.Message, StringComparison.Ordinal);
        AssertNothingEscaped();
    }

    [Theory]
    [MemberData(nameof(Resolvers))]
    public void Apply_HardlinkToSymlinkOutside_LinksTheSymlinkItself(bool openat2)
    {
        var tar = new LayerTarBuilder().Symlink("s", "/etc/passwd").Hardlink("h", "s").Build();
        Apply(tar, openat2);
        Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(snap, "h")).LinkTarget);
        AssertNothingEscaped();
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "character")]
    [InlineData(TarEntryType.BlockDevice, "block")]
    public void Apply_DeviceNode_Refused(TarEntryType type, string kind)
    {
        var tar = new LayerTarBuilder().Device(type, "dev/sda", 8, 0).Build();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, true));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains($"layer test-layer: dev/sda: {kind} device 8:0 refused", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(snap, "dev/sda")));
    }

    [Fact]
    public void Apply_CharDeviceZeroZeroInTar_Refused()
    {
        var tar = new LayerTarBuilder().Device(TarEntryType.CharacterDevice, "fake-whiteout", 0, 0).Build();
        Assert.Throws<EngineException>(() => Apply(tar, true));
    }

    [Fact]
    public void Apply_HugeName_Refused()
    {
        string name = string.Join('/', Enumerable.Repeat(new string('a', 200), 30));
        var tar = new LayerTarBuilder().File(name, "x").Build();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, true));
        Assert.Contains("path longer than 4096 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_HugeComponent_Refused()
    {
        var tar = new LayerTarBuilder().File(new string('b', 300), "x").Build();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, true));
        Assert.Contains("path component longer than 255 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_WhiteoutWithoutName_Refused()
    {
        var tar = new LayerTarBuilder().File("d/.wh.", string.Empty).Build();
        Assert.Contains("whiteout without a name", Assert.Throws<EngineException>(() => Apply(tar, true)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_WhiteoutOfDotDot_Refused()
    {
        var tar = new LayerTarBuilder().File("d/.wh...", string.Empty).Build();
        Assert.Throws<EngineException>(() => Apply(tar, true));
        AssertNothingEscaped();
    }

    [Fact]
    public void Apply_TruncatedTar_InvalidArgumentNamingCorruption()
    {
        var full = new LayerTarBuilder().File("a", new string('x', 5000)).File("b", "y").Build();
        var tar = full.AsSpan(0, 1200).ToArray();
        var ex = Assert.Throws<EngineException>(() => Apply(tar, true));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("corrupt tar", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_TruncatedGzip_InvalidArgument()
    {
        var gz = LayerTarBuilder.Gzip(new LayerTarBuilder().File("a", new string('x', 50000)).File("b", "y").Build());
        var ex = Assert.Throws<EngineException>(() => Apply(gz.AsSpan(0, gz.Length / 2).ToArray(), true));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void Apply_GarbageInput_InvalidArgument()
    {
        var junk = new byte[2048];
        new Random(42).NextBytes(junk);
        junk[0] = 0x1f;
        junk[1] = 0x8b;
        var ex = Assert.Throws<EngineException>(() => Apply(junk, true));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }

    private void Apply(byte[] tar, bool openat2) =>
        LayerApplier.Apply(new MemoryStream(tar), snap, "test-layer", CancellationToken.None, openat2);

    private void AssertNothingEscaped()
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(sentinel));
        var top = Directory.EnumerateFileSystemEntries(scratch.Path).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["sentinel", "snap"], top);
        Assert.Equal(passwdHash, SHA256.HashData(File.ReadAllBytes("/etc/passwd")));
        Assert.False(File.Exists("/escaped"));
        Assert.True(RootedFileSystem.KernelHasOpenat2 || true);
    }
}
