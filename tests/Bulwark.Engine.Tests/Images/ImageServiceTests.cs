using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Tests.Images.Layers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Images;

public sealed class ImageServiceTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();
    private readonly ImageService images;

    public ImageServiceTests()
    {
        images = new ImageService(scratch.Sub("root"), NullLogger<ImageService>.Instance);
    }

    public void Dispose()
    {
        images.Dispose();
        scratch.Dispose();
    }

    private static byte[] RootfsTar(string marker = "1") =>
        new LayerTarBuilder().Dir("bin").File("bin/sh", "#!fake " + marker, (UnixFileMode)0x1ED).File("etc/os-release", "ID=test").Build();

    [Fact]
    public async Task ImportAsync_WithChanges_ConfigAndLayerFilled()
    {
        var img = await images.ImportAsync(new NonSeekableStream(new MemoryStream(LayerTarBuilder.Gzip(RootfsTar()))), "test/img:v1",
            ["CMD [\"/bin/sh\", \"-c\", \"echo hi\"]", "ENTRYPOINT /bin/tini --", "ENV A=1 B=\"two words\"", "ENV C three four",
             "WORKDIR /work", "USER 1000:1000", "LABEL x=y \"z w\"=v", "EXPOSE 80 53/udp", "VOLUME [\"/data\"]", "STOPSIGNAL SIGINT"],
            "my message", CancellationToken.None);

        Assert.StartsWith("sha256:", img.Id, StringComparison.Ordinal);
        Assert.Equal(["test/img:v1"], img.RepoTags);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], img.Config.Cmd);
        Assert.Equal(["/bin/sh", "-c", "/bin/tini --"], img.Config.Entrypoint);
        Assert.Equal(["A=1", "B=two words", "C=three four"], img.Config.Env);
        Assert.Equal("/work", img.Config.WorkingDir);
        Assert.Equal("1000:1000", img.Config.User);
        Assert.Equal("y", img.Config.Labels["x"]);
        Assert.Equal("v", img.Config.Labels["z w"]);
        Assert.Equal(["80/tcp", "53/udp"], img.Config.ExposedPorts);
        Assert.Equal(["/data"], img.Config.Volumes);
        Assert.Equal("SIGINT", img.Config.StopSignal);
        Assert.Equal("my message", img.Comment);
        Assert.Single(img.DiffIds);
        Assert.Equal(img.DiffIds, img.ChainIds);
        Assert.Equal("my message", Assert.Single(img.History).Comment);
        Assert.True(img.Size > 0);
        Assert.NotNull(img.Created);
        var dirs = images.LayerDirs(img);
        Assert.Equal("#!fake 1", File.ReadAllText(Path.Combine(Assert.Single(dirs), "bin/sh")));
    }

    [Fact]
    public async Task ImportAsync_BadChange_InvalidArgumentAndNothingStored()
    {
        var ex = await Assert.ThrowsAsync<EngineException>(() =>
            images.ImportAsync(new MemoryStream(RootfsTar()), null, ["RUN rm -rf /"], null, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("RUN is not supported", ex.Message, StringComparison.Ordinal);
        Assert.Empty(images.List());
    }

    [Fact]
    public async Task Resolve_AllReferenceForms_FindImage()
    {
        var img = await images.ImportAsync(new MemoryStream(RootfsTar()), "busybox", [], null, CancellationToken.None);
        string hex = img.Id[7..];
        Assert.Equal(["busybox:latest"], img.RepoTags);
        foreach (var r in new[] { "busybox", "busybox:latest", "docker.io/library/busybox:latest", "library/busybox", img.Id, hex, hex[..12], hex[..4], "sha256:" + hex[..8] })
        {
            Assert.Equal(img.Id, images.Resolve(r).Id);
        }

        var ex = Assert.Throws<EngineException>(() => images.Resolve("nothere:1"));
        Assert.Equal(ErrorKind.NotFound, ex.Kind);
        Assert.Equal("No such image: nothere:1", ex.Message);
        Assert.Null(images.TryResolve("busybox:other"));
        Assert.Null(images.TryResolve("abc"));
    }

    [Fact]
    public async Task TagThenRemove_UntagsThenDeletesAndCollectsGarbage()
    {
        var img = await images.ImportAsync(new MemoryStream(RootfsTar()), "a/b:1", [], null, CancellationToken.None);
        images.Tag("a/b:1", "localhost:5000/c/d:2");
        Assert.Equal(["a/b:1", "localhost:5000/c/d:2"], images.Resolve(img.Id).RepoTags);
        string snapshot = Assert.Single(images.LayerDirs(img));
        Assert.True(Directory.Exists(snapshot));

        var first = images.Remove("a/b:1", force: false, _ => null);
        Assert.Equal([new ImageDeleteItem("a/b:1", null)], first);
        Assert.Equal(["localhost:5000/c/d:2"], images.Resolve(img.Id).RepoTags);

        var second = images.Remove("localhost:5000/c/d:2", force: false, _ => null);
        Assert.Equal(new ImageDeleteItem("localhost:5000/c/d:2", null), second[0]);
        Assert.Contains(new ImageDeleteItem(null, img.Id), second);
        Assert.Empty(images.List());
        Assert.False(Directory.Exists(snapshot));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(images.DataRoot, "content/blobs/sha256")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(images.SnapshotsRoot));
    }

    [Fact]
    public async Task Tag_InvalidTarget_InvalidArgumentNamingIt()
    {
        await images.ImportAsync(new MemoryStream(RootfsTar()), "ok", [], null, CancellationToken.None);
        var ex = Assert.Throws<EngineException>(() => images.Tag("ok", "Bad Name:!"));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("\"Bad Name:!\"", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<EngineException>(() => images.Tag("missing", "x")).Kind);
    }

    [Fact]
    public async Task Remove_ImageUsedByContainer_ConflictUnlessForced()
    {
        var img = await images.ImportAsync(new MemoryStream(RootfsTar()), "used", [], null, CancellationToken.None);
        string container = new('c', 64);
        var ex = Assert.Throws<EngineException>(() => images.Remove("used", false, id => id == img.Id ? container : null));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal(
            $"conflict: unable to remove repository reference \"used\" (must force) - container cccccccccccc is using its referenced image {img.Id[7..19]}",
            ex.Message);

        var forced = images.Remove("used", true, _ => container);
        Assert.Equal([new ImageDeleteItem("used:latest", null)], forced);
        var still = images.Resolve(img.Id);
        Assert.Empty(still.RepoTags);
        Assert.True(Directory.Exists(Assert.Single(images.LayerDirs(still))));
    }

    [Fact]
    public async Task Remove_SharedLayer_SnapshotStaysWhileAnotherImageUsesIt()
    {
        var tar = RootfsTar();
        var a = await images.ImportAsync(new MemoryStream(tar), "one", ["CMD a"], null, CancellationToken.None);
        var b = await images.ImportAsync(new MemoryStream(tar), "two", ["CMD b"], null, CancellationToken.None);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(images.LayerDirs(a), images.LayerDirs(b));
        images.Remove("one", false, _ => null);
        Assert.True(Directory.Exists(images.LayerDirs(b)[0]));
        images.Remove(b.Id[7..19], false, _ => null);
        Assert.False(Directory.Exists(images.LayerDirs(b)[0]));
    }

    [Fact]
    public async Task Remove_LastImageOfALayer_AlsoRemovesItsUserNamespaceShiftedCopy()
    {
        var keep = await images.ImportAsync(new MemoryStream(RootfsTar("keep")), "keep", [], null, CancellationToken.None);
        var gone = await images.ImportAsync(new MemoryStream(RootfsTar("gone")), "gone", [], null, CancellationToken.None);
        string keptCopy = images.LayerDirs(keep)[0] + "-uid100000";
        string goneCopy = images.LayerDirs(gone)[0] + "-uid100000";
        Directory.CreateDirectory(keptCopy);
        Directory.CreateDirectory(goneCopy);
        images.Remove("gone", false, _ => null);
        Assert.False(Directory.Exists(goneCopy));
        Assert.True(Directory.Exists(keptCopy));
    }

    [Fact]
    public async Task Remove_WithACopyPredicate_RemovesUnusedCopiesOfLayersStillReferenced_KeepsUsedAndPinnedOnes()
    {
        byte[] tar = RootfsTar("shared");
        var keep = await images.ImportAsync(new MemoryStream(tar), "keep", [], null, CancellationToken.None);
        var gone = await images.ImportAsync(new MemoryStream(tar), "gone", ["CMD x"], null, CancellationToken.None);
        var gone2 = await images.ImportAsync(new MemoryStream(tar), "gone2", ["CMD y"], null, CancellationToken.None);
        var gone3 = await images.ImportAsync(new MemoryStream(tar), "gone3", ["CMD z"], null, CancellationToken.None);
        string layer = images.LayerDirs(keep)[0];
        var shared = new Bulwark.Engine.Security.UserNamespaces.IdMapping("t", 100000, 100000, 65536);
        var other = new Bulwark.Engine.Security.UserNamespaces.IdMapping("t", 165536, 165536, 65536);
        string used = Bulwark.Engine.Snapshots.IdShiftedLayers.PathFor(layer, shared);
        string unused = Bulwark.Engine.Snapshots.IdShiftedLayers.PathFor(layer, other);
        Directory.CreateDirectory(used);
        Directory.CreateDirectory(unused);

        using (Bulwark.Engine.Snapshots.IdShiftedLayers.Pin([layer], other))
        {
            images.Remove("gone", false, _ => null, dir => dir == used);
            Assert.True(Directory.Exists(unused)); // a create has it pinned
        }

        images.Remove("gone2", false, _ => null, dir => dir == used);
        Assert.True(Directory.Exists(layer));
        Assert.True(Directory.Exists(used));
        Assert.False(Directory.Exists(unused));

        images.Remove("gone3", false, _ => null); // no predicate: copies of referenced layers stay
        Assert.True(Directory.Exists(used));
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.GetDirectoryName(layer)!), d => Path.GetFileName(d).StartsWith("tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Remove_ByIdWithSeveralTags_ConflictUnlessForced()
    {
        var img = await images.ImportAsync(new MemoryStream(RootfsTar()), "m1", [], null, CancellationToken.None);
        images.Tag("m1", "m2");
        var ex = Assert.Throws<EngineException>(() => images.Remove(img.Id, false, _ => null));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        var items = images.Remove(img.Id, true, _ => null);
        Assert.Equal(3, items.Count(i => i.Untagged is not null || i.Deleted == img.Id));
        Assert.Empty(images.List());
    }

    [Fact]
    public async Task ImportAsync_CorruptGzip_ErrorAndStoreUnchanged()
    {
        await images.ImportAsync(new MemoryStream(RootfsTar()), "keep", [], null, CancellationToken.None);
        var before = Snapshot();
        var gz = LayerTarBuilder.Gzip(new LayerTarBuilder().File("big", new string('q', 100000)).Build());
        var ex = await Assert.ThrowsAsync<EngineException>(() =>
            images.ImportAsync(new MemoryStream(gz.AsSpan(0, gz.Length - 30).ToArray()), "broken", [], null, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task Reopen_SameDataRoot_ImagesPersist()
    {
        string root = scratch.Sub("persist");
        string id;
        using (var first = new ImageService(root, NullLogger<ImageService>.Instance))
        {
            id = (await first.ImportAsync(new MemoryStream(RootfsTar()), "persisted:1", [], null, CancellationToken.None)).Id;
        }

        Directory.CreateDirectory(Path.Combine(root, "snapshots", "tmp-leftover"));
        using var second = new ImageService(root, NullLogger<ImageService>.Instance);
        Assert.Equal(id, second.Resolve("persisted:1").Id);
        Assert.False(Directory.Exists(Path.Combine(root, "snapshots", "tmp-leftover")));
    }

    [Fact]
    public async Task ConcurrentImports_AllStored()
    {
        var tasks = Enumerable.Range(0, 6).Select(i =>
            images.ImportAsync(new MemoryStream(RootfsTar(i.ToString(System.Globalization.CultureInfo.InvariantCulture))), $"c{i}", [],
                null, CancellationToken.None)).ToList();
        await Task.WhenAll(tasks);
        Assert.Equal(6, images.List().Count);
    }

    internal string Snapshot() => StoreSnapshot.Of(images);
}
