using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Tests.Images.Layers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Images.Archives;

public sealed class ImageArchiveTests : IDisposable
{
    private const string OciGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    private readonly ScratchDirectory scratch = new();
    private readonly ImageService images;

    public ImageArchiveTests()
    {
        images = new ImageService(scratch.Sub("root"), NullLogger<ImageService>.Instance);
    }

    public void Dispose()
    {
        images.Dispose();
        scratch.Dispose();
    }

    private static byte[] Base() => new LayerTarBuilder().Dir("bin").File("bin/sh", "sh", (UnixFileMode)0x1ED).File("etc/gone", "x").Build();

    private static byte[] Top() => new LayerTarBuilder().File("etc/.wh.gone", string.Empty).File("app", "top").Build();

    [Fact]
    public async Task LoadAsync_DockerSaveLegacyNonSeekable_LoadsTwoLayers()
    {
        var archive = TestArchiveBuilder.DockerSave([Base(), Top()], "example.com/team/app:3");
        var progress = new List<LayerProgress>();
        var loaded = await images.LoadAsync(new NonSeekableStream(new MemoryStream(archive)), new SyncProgress(progress), CancellationToken.None);
        var l = Assert.Single(loaded);
        Assert.Equal("example.com/team/app:3", l.Reference);
        var img = images.Resolve("example.com/team/app:3");
        Assert.Equal(l.ImageId, img.Id);
        Assert.Equal(2, img.ChainIds.Count);
        Assert.Equal(["/bin/sh"], img.Config.Cmd);
        Assert.Equal("tests", img.Author);
        Assert.Empty(img.RepoDigests);
        var dirs = images.LayerDirs(img);
        Assert.Equal("sh", File.ReadAllText(Path.Combine(dirs[0], "bin/sh")));
        Assert.Equal("top", File.ReadAllText(Path.Combine(dirs[1], "app")));
        Assert.Contains(progress, p => p.Current == p.Total);
    }

    [Fact]
    public async Task LoadAsync_GzippedDockerSaveWithSymlinkedLayer_Loads()
    {
        var archive = LayerTarBuilder.Gzip(TestArchiveBuilder.DockerSave([Base(), Base()], "dup:1", symlinkDuplicate: true));
        var loaded = await images.LoadAsync(new MemoryStream(archive), null, CancellationToken.None);
        var img = images.Resolve(Assert.Single(loaded).ImageId);
        Assert.Equal(2, img.ChainIds.Count);
        Assert.NotEqual(img.ChainIds[0], img.ChainIds[1]);
    }

    [Fact]
    public async Task LoadAsync_OciLayoutGzip_NamedFromAnnotationWithRepoDigest()
    {
        var archive = TestArchiveBuilder.OciLayout([Base(), Top()], "docker.io/library/ocitest:7", LayerTarBuilder.Gzip, OciGzip);
        var loaded = await images.LoadAsync(new NonSeekableStream(new MemoryStream(archive)), null, CancellationToken.None);
        Assert.Equal("ocitest:7", Assert.Single(loaded).Reference);
        var img = images.Resolve("ocitest:7");
        Assert.Equal(["/bin/oci"], img.Config.Cmd);
        Assert.StartsWith("ocitest@sha256:", Assert.Single(img.RepoDigests), StringComparison.Ordinal);
        Assert.Equal(img.Id, images.Resolve("ocitest@" + img.RepoDigests[0].Split('@')[1]).Id);
    }

    [Fact]
    public async Task LoadAsync_OciLayoutZstdUnnamed_LoadedWithoutReference()
    {
        var archive = TestArchiveBuilder.OciLayout([Base()], null, LayerTarBuilder.Zstd, "application/vnd.oci.image.layer.v1.tar+zstd");
        var loaded = await images.LoadAsync(new MemoryStream(archive), null, CancellationToken.None);
        Assert.Null(Assert.Single(loaded).Reference);
        Assert.Empty(images.Resolve(loaded[0].ImageId).RepoTags);
    }

    [Fact]
    public async Task SaveAsync_ThenLoadIntoFreshStore_RoundTrips()
    {
        await images.LoadAsync(new MemoryStream(TestArchiveBuilder.DockerSave([Base(), Top()], "round:trip")), null, CancellationToken.None);
        var original = images.Resolve("round:trip");
        using var saved = new MemoryStream();
        await images.SaveAsync(["round:trip"], saved, CancellationToken.None);

        var names = new Dictionary<string, byte[]>();
        saved.Position = 0;
        using (var r = new TarReader(new MemoryStream(saved.ToArray())))
        {
            while (r.GetNextEntry() is { } e)
            {
                using var ms = new MemoryStream();
                e.DataStream?.CopyTo(ms);
                names[e.Name] = ms.ToArray();
            }
        }

        Assert.Contains("oci-layout", names.Keys);
        Assert.Contains("index.json", names.Keys);
        using var manifest = JsonDocument.Parse(names["manifest.json"]);
        var entry = manifest.RootElement[0];
        Assert.Equal("blobs/sha256/" + original.Id[7..], entry.GetProperty("Config").GetString());
        Assert.Equal("round:trip", entry.GetProperty("RepoTags")[0].GetString());
        Assert.Equal(2, entry.GetProperty("Layers").GetArrayLength());
        Assert.Contains("io.containerd.image.name", Encoding.UTF8.GetString(names["index.json"]), StringComparison.Ordinal);

        using var other = new ImageService(scratch.Sub("other"), NullLogger<ImageService>.Instance);
        var loaded = await other.LoadAsync(new NonSeekableStream(new MemoryStream(saved.ToArray())), null, CancellationToken.None);
        Assert.Equal("round:trip", Assert.Single(loaded).Reference);
        var copy = other.Resolve("round:trip");
        Assert.Equal(original.Id, copy.Id);
        Assert.Equal(original.DiffIds, copy.DiffIds);
        Assert.Equal(original.ChainIds, copy.ChainIds);
    }

    [Fact]
    public async Task LoadAsync_MissingManifest_ErrorAndStoreUnchanged()
    {
        await Seed();
        string before = StoreSnapshot.Of(images);
        var archive = new TestArchiveBuilder().AddText("hello.txt", "no manifest").Build();
        var ex = await Assert.ThrowsAsync<EngineException>(() => images.LoadAsync(new MemoryStream(archive), null, CancellationToken.None));
        Assert.Equal("invalid archive: manifest.json missing", ex.Message);
        Assert.Equal(before, StoreSnapshot.Of(images));
    }

    [Fact]
    public async Task LoadAsync_OciLayerDigestMismatch_ErrorNamesLayerAndStoreUnchanged()
    {
        await Seed();
        string before = StoreSnapshot.Of(images);
        string? bad = null;
        var archive = TestArchiveBuilder.OciLayout([Base(), Top()], "docker.io/library/tampered:1", LayerTarBuilder.Gzip, OciGzip,
            (_, blobs) =>
            {
                bad = blobs[3].Digest;
                var b = blobs[3].Blob.ToArray();
                b[^10] ^= 0xff;
                blobs[3] = (blobs[3].Digest, b);
            });
        var ex = await Assert.ThrowsAsync<EngineException>(() => images.LoadAsync(new MemoryStream(archive), null, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.StartsWith($"layer sha256:{bad}: digest mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot.Of(images));
    }

    [Fact]
    public async Task LoadAsync_DiffIdMismatch_ErrorAndStoreUnchanged()
    {
        await Seed();
        string before = StoreSnapshot.Of(images);
        var layer = Base();
        var b = new TestArchiveBuilder();
        byte[] config = TestArchiveBuilder.Config([TestArchiveBuilder.Sha(Top())]);
        b.Add("l1/layer.tar", layer).Add(TestArchiveBuilder.Sha(config) + ".json", config)
            .AddText("manifest.json", $"[{{\"Config\":\"{TestArchiveBuilder.Sha(config)}.json\",\"RepoTags\":[\"wrong:1\"],\"Layers\":[\"l1/layer.tar\"]}}]");
        var ex = await Assert.ThrowsAsync<EngineException>(() => images.LoadAsync(new MemoryStream(b.Build()), null, CancellationToken.None));
        Assert.Contains("diff id mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot.Of(images));
    }

    [Fact]
    public async Task LoadAsync_BlobClaimsDiffIdOfExistingSnapshot_StillVerified()
    {
        await Seed();
        string before = StoreSnapshot.Of(images);
        var other = Top();
        var b = new TestArchiveBuilder();
        byte[] config = TestArchiveBuilder.Config([TestArchiveBuilder.Sha(Base())]); // the seed's snapshot exists already
        b.Add("l1/layer.tar", other).Add(TestArchiveBuilder.Sha(config) + ".json", config)
            .AddText("manifest.json", $"[{{\"Config\":\"{TestArchiveBuilder.Sha(config)}.json\",\"RepoTags\":[\"poison:1\"],\"Layers\":[\"l1/layer.tar\"]}}]");
        var ex = await Assert.ThrowsAsync<EngineException>(() => images.LoadAsync(new MemoryStream(b.Build()), null, CancellationToken.None));
        Assert.Contains("diff id mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot.Of(images));
    }

    [Fact]
    public async Task LoadAsync_TruncatedGzipArchive_ErrorAndStoreUnchanged()
    {
        await Seed();
        string before = StoreSnapshot.Of(images);
        var gz = LayerTarBuilder.Gzip(TestArchiveBuilder.DockerSave([Base(), Top()], "trunc:1"));
        var ex = await Assert.ThrowsAsync<EngineException>(() =>
            images.LoadAsync(new MemoryStream(gz.AsSpan(0, gz.Length * 2 / 3).ToArray()), null, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.StartsWith("invalid archive", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot.Of(images));
    }

    [Fact]
    public async Task LoadAsync_HostileLayer_RefusedAndStoreUnchanged()
    {
        await Seed();
        string before = StoreSnapshot.Of(images);
        var evil = new LayerTarBuilder().File("ok", "1").Hardlink("pw", "/etc/passwd").Build();
        var ex = await Assert.ThrowsAsync<EngineException>(() =>
            images.LoadAsync(new MemoryStream(TestArchiveBuilder.DockerSave([Base(), evil], "evil:1")), null, CancellationToken.None));
        Assert.Contains($"layer sha256:{TestArchiveBuilder.Sha(evil)}: pw: hardlink target", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, StoreSnapshot.Of(images));
    }

    [Fact]
    public async Task LoadAsync_ConfigNameDigestMismatch_Refused()
    {
        var b = new TestArchiveBuilder();
        byte[] config = TestArchiveBuilder.Config([TestArchiveBuilder.Sha(Base())]);
        string fake = new('a', 64);
        b.Add("l/layer.tar", Base()).Add("blobs/sha256/" + fake, config)
            .AddText("manifest.json", $"[{{\"Config\":\"blobs/sha256/{fake}\",\"RepoTags\":null,\"Layers\":[\"l/layer.tar\"]}}]");
        var ex = await Assert.ThrowsAsync<EngineException>(() => images.LoadAsync(new MemoryStream(b.Build()), null, CancellationToken.None));
        Assert.StartsWith($"config sha256:{fake}: digest mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Empty(images.List());
    }

    private async Task Seed() =>
        await images.ImportAsync(new MemoryStream(Base()), "seed:1", [], null, CancellationToken.None);

    private sealed class SyncProgress(List<LayerProgress> sink) : IProgress<LayerProgress>
    {
        public void Report(LayerProgress value) => sink.Add(value);
    }
}
