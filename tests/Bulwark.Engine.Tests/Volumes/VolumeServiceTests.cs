using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Engine.Tests.Images;
using Bulwark.Engine.Volumes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Volumes;

public sealed class VolumeServiceTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();
    private readonly EventBus events = new();

    public void Dispose() => scratch.Dispose();

    private VolumeService NewService(IdMapping? map = null) =>
        new(scratch.Path, map, events, NullLogger<VolumeService>.Instance);

    [Fact]
    public void Create_IsIdempotent_AndPersistsAcrossRestarts()
    {
        var svc = NewService();
        var a = svc.Create("data", null, null, new Dictionary<string, string> { ["k"] = "v" });
        File.WriteAllText(Path.Combine(a.Mountpoint, "f"), "x");
        var again = svc.Create("data", "local", new Dictionary<string, string>(), null);
        Assert.Equal(a.Record, again.Record);
        Assert.True(File.Exists(Path.Combine(again.Mountpoint, "f")));

        var reloaded = NewService().Get("data");
        Assert.Equal("v", reloaded.Record.Labels["k"]);
        Assert.False(reloaded.Record.Anonymous);
        Assert.Equal(Path.Combine(scratch.Path, "volumes", "data", "_data"), reloaded.Mountpoint);
    }

    [Fact]
    public void Create_WithoutName_IsAnonymousWithDockersLabel()
    {
        var v = NewService().Create(null, null, null, null);
        Assert.Equal(VolumeName.AnonymousLength, v.Name.Length);
        Assert.True(v.Record.Anonymous);
        Assert.True(v.Record.Labels.ContainsKey(VolumeService.AnonymousLabel));
    }

    [Fact]
    public void Create_OtherDriverOrAnyOption_IsRefusedByName_AndLeavesNothing()
    {
        var svc = NewService();
        var d = Assert.Throws<EngineException>(() => svc.Create("v1", "rexray", null, null));
        Assert.Contains("\"rexray\"", d.Message, StringComparison.Ordinal);
        var o = Assert.Throws<EngineException>(() => svc.Create("v1", null, new Dictionary<string, string> { ["o"] = "bind", ["device"] = "/etc" }, null));
        Assert.Contains("device, o", o.Message, StringComparison.Ordinal);
        Assert.Empty(svc.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(svc.Root));
    }

    [Fact]
    public void Remove_InUse_IsAConflictNamingTheContainers_EvenWithForce()
    {
        var svc = NewService();
        var attached = svc.Attach("c1", [new VolumeMountSpec("shared", "/d", false)]);
        svc.Attach("c2", [new VolumeMountSpec("shared", "/e", true)]);
        Assert.Single(attached);
        var ex = Assert.Throws<EngineException>(() => svc.Remove("shared", force: true));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Equal("remove shared: volume is in use - [c1, c2]", ex.Message);

        svc.Detach("c1", attached, removeAnonymous: true);
        Assert.Throws<EngineException>(() => svc.Remove("shared", force: false));
        svc.Detach("c2", attached, removeAnonymous: true);
        Assert.Contains(svc.List(), v => v.Name == "shared"); // named volumes outlive rm -v
        svc.Remove("shared", force: false);
        Assert.Empty(svc.List());
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<EngineException>(() => svc.Remove("shared", force: false)).Kind);
        svc.Remove("shared", force: true); // unknown + force: nothing to do
    }

    [Fact]
    public void Detach_WithRemoveAnonymous_RemovesOnlyUnusedAnonymousVolumes()
    {
        var svc = NewService();
        var a = svc.Attach("c1", [new VolumeMountSpec(null, "/anon", false), new VolumeMountSpec("named", "/n", false)]);
        Assert.True(a[0].Anonymous);
        Assert.False(a[1].Anonymous);
        svc.Detach("c1", a, removeAnonymous: true);
        Assert.Equal(["named"], svc.List().Select(v => v.Name));
    }

    [Fact]
    public void Attach_FailingHalfway_UndoesWhatItMade()
    {
        var svc = NewService();
        Assert.Throws<EngineException>(() => svc.Attach("c1", [new VolumeMountSpec(null, "/a", false), new VolumeMountSpec("../bad", "/b", false)]));
        Assert.Empty(svc.List());
        Assert.Empty(Directory.EnumerateFileSystemEntries(svc.Root));
    }

    [Fact]
    public void Prune_DefaultsToAnonymousUnused_AllAddsNamed_FilterNarrows()
    {
        var svc = NewService();
        svc.Create("named", null, null, new Dictionary<string, string> { ["keep"] = "yes" });
        svc.Create("other", null, null, null);
        var anon = svc.Create(null, null, null, null);
        var used = svc.Attach("c1", [new VolumeMountSpec(null, "/u", false)]);

        var (deleted, _) = svc.Prune(all: false, _ => true, CancellationToken.None);
        Assert.Equal([anon.Name], deleted);

        (deleted, _) = svc.Prune(all: true, r => !r.Labels.ContainsKey("keep"), CancellationToken.None);
        Assert.Equal(["other"], deleted);
        Assert.Equal(new[] { "named", used[0].Name }.Order(StringComparer.Ordinal), svc.List().Select(v => v.Name));
    }

    [Fact]
    public void SizeOf_CountsApparentSizesOnce()
    {
        var svc = NewService();
        var v = svc.Create("sized", null, null, null);
        File.WriteAllBytes(Path.Combine(v.Mountpoint, "a"), new byte[3000]);
        Directory.CreateDirectory(Path.Combine(v.Mountpoint, "d"));
        File.WriteAllBytes(Path.Combine(v.Mountpoint, "d", "b"), new byte[1000]);
        File.CreateSymbolicLink(Path.Combine(v.Mountpoint, "link"), "/etc/passwd");
        Assert.Equal(4000 + "/etc/passwd".Length, svc.SizeOf("sized"));
    }

    [Fact]
    public void Layout_WithUserNamespace_DataOwnedByMappedRoot_PathTraversableOnlyByItsGroup()
    {
        var map = new IdMapping("bulwark", 300000, 300000, 65536);
        var v = NewService(map).Create("mapped", null, null, null);
        var st = Stat(v.Mountpoint);
        Assert.Equal((300000u, 300000u), (st.Uid, st.Gid));
        Assert.Equal(0x1EDu, st.Mode & 0xFFF); // 0755
        foreach (string dir in new[] { Path.Combine(scratch.Path, "volumes"), Path.Combine(scratch.Path, "volumes", "mapped") })
        {
            var d = Stat(dir);
            Assert.Equal((0u, 300000u), (d.Uid, d.Gid));
            Assert.Equal(0x1C8u, d.Mode & 0xFFF); // 0710
        }

        var meta = Stat(Path.Combine(scratch.Path, "volumes", "mapped", "volume.json"));
        Assert.Equal(0x180u, meta.Mode & 0xFFF); // 0600

        // Without a mapping the same layout is root-only.
        var plain = Stat(Path.Combine(NewService().Root));
        Assert.Equal((0u, 0u, 0x1C0u), (plain.Uid, plain.Gid, plain.Mode & 0xFFF));
    }

    [Fact]
    public void EmptyVolumeMadeWithoutRemapping_IsHandedToTheMappedRootAtFirstUse_OneWithContentIsNot()
    {
        var plain = NewService();
        plain.Create("empty", null, null, null);
        var full = plain.Create("full", null, null, null);
        File.WriteAllText(Path.Combine(full.Mountpoint, "f"), "x");

        var mapped = NewService(new IdMapping("bulwark", 300000, 300000, 65536));
        mapped.Attach("c1", [new VolumeMountSpec("empty", "/e", false), new VolumeMountSpec("full", "/f", false)]);
        Assert.Equal(300000u, Stat(Path.Combine(mapped.Root, "empty", "_data")).Uid);
        Assert.Equal(0u, Stat(Path.Combine(mapped.Root, "full", "_data")).Uid);
    }

    [Fact]
    public void Start_RemovesStagingAndTrashLeftovers_AndSkipsDirectoriesWithoutMetadata()
    {
        var svc = NewService();
        svc.Create("real", null, null, null);
        Directory.CreateDirectory(Path.Combine(svc.Root, ".new-0011"));
        Directory.CreateDirectory(Path.Combine(svc.Root, ".trash-0022", "_data"));
        Directory.CreateDirectory(Path.Combine(svc.Root, "nometa", "_data"));
        var again = NewService();
        Assert.Equal(["real"], again.List().Select(v => v.Name));
        Assert.False(Directory.Exists(Path.Combine(svc.Root, ".new-0011")));
        Assert.False(Directory.Exists(Path.Combine(svc.Root, ".trash-0022")));
        Assert.True(Directory.Exists(Path.Combine(svc.Root, "nometa"))); // not ours to guess about
        Assert.Equal(ErrorKind.Conflict, Assert.Throws<EngineException>(() => again.Create("nometa", null, null, null)).Kind);
    }

    [Fact]
    public void Events_CreateAndDestroy_CarryTheDriver()
    {
        var svc = NewService();
        var (_, live, sub) = events.Subscribe();
        using (sub)
        {
            svc.Create("ev", null, null, null);
            svc.Remove("ev", force: false);
            Assert.True(live.TryRead(out var created));
            Assert.True(live.TryRead(out var destroyed));
            Assert.Equal(("volume", "create", "ev", "local"), (created.Type, created.Action, created.ActorId, created.Attributes["driver"]));
            Assert.Equal(("volume", "destroy", "ev"), (destroyed.Type, destroyed.Action, destroyed.ActorId));
        }
    }

    private static Native.Interop.Stat Stat(string path)
    {
        Native.Errno.ThrowIfFailed(Native.Interop.Fstatat(Native.Interop.AtFdCwd, path, out var st, Native.Interop.AtSymlinkNoFollow), "lstat", path);
        return st;
    }

    [Fact]
    public void Attach_VolumeAnOlderVersionStoredShifted_IsConvertedToContainerIdsOnce_KeepingSetuidAndForeignIds()
    {
        var shared = new IdMapping("remap", 100000, 100000, 65536);
        string data = PlantVolume("old", """{"Name":"old","Driver":"local","CreatedAt":"2026-01-01T00:00:00+00:00","Labels":{},"Options":{},"Anonymous":false}""");
        string file = Path.Combine(data, "f");
        string setuid = Path.Combine(data, "tool");
        string foreign = Path.Combine(data, "host-owned");
        foreach (var (path, uid, gid) in new[] { (data, 100000u, 100000u), (file, 101000u, 102000u), (setuid, 100000u, 100000u), (foreign, 5u, 6u) })
        {
            if (path != data)
            {
                File.WriteAllText(path, "x");
            }

            Assert.Equal(0, Bulwark.Native.Interop.Fchownat(Bulwark.Native.Interop.AtFdCwd, path, uid, gid, 0));
        }

        File.SetUnixFileMode(setuid, (UnixFileMode)Convert.ToInt32("4755", 8));
        var svc = new VolumeService(scratch.Path, null, events, NullLogger<VolumeService>.Instance, shiftedByOlderVersions: shared);

        svc.Attach("c1", [new VolumeMountSpec("old", "/v", false)]);

        Assert.Equal((0u, 0u), Owner(data));
        Assert.Equal((1000u, 2000u), Owner(file));
        Assert.Equal((0u, 0u), Owner(setuid));
        Assert.Equal((5u, 6u), Owner(foreign));
        Assert.Equal((UnixFileMode)Convert.ToInt32("4755", 8), File.GetUnixFileMode(setuid));
        Assert.True(svc.Get("old").Record.OwnersUnshifted);
        Assert.Contains("\"OwnersUnshifted\":true", File.ReadAllText(Path.Combine(scratch.Path, "volumes", "old", "volume.json")), StringComparison.Ordinal);

        // Done once: a later daemon (the record says so) leaves ids in the old range alone.
        Assert.Equal(0, Bulwark.Native.Interop.Fchownat(Bulwark.Native.Interop.AtFdCwd, file, 100007, 100007, 0));
        var restarted = new VolumeService(scratch.Path, null, events, NullLogger<VolumeService>.Instance, shiftedByOlderVersions: shared);
        restarted.Attach("c3", [new VolumeMountSpec("old", "/v", false)]);
        Assert.Equal((100007u, 100007u), Owner(file));
    }

    [Fact]
    public void Attach_ShiftedVolumeAnotherContainerUses_IsLeftAsItIs_AndNewVolumesAreMarkedUnshifted()
    {
        var shared = new IdMapping("remap", 100000, 100000, 65536);
        string data = PlantVolume("busy", """{"Name":"busy","Driver":"local","CreatedAt":"2026-01-01T00:00:00+00:00"}""");
        Assert.Equal(0, Bulwark.Native.Interop.Fchownat(Bulwark.Native.Interop.AtFdCwd, data, 100000, 100000, 0));
        var svc = new VolumeService(scratch.Path, null, events, NullLogger<VolumeService>.Instance, shiftedByOlderVersions: shared);
        svc.Restore("old-container", [new VolumeAttachment("busy", data, "/v", false, false, false, "")]);

        svc.Attach("c1", [new VolumeMountSpec("busy", "/v", false)]);

        Assert.Equal((100000u, 100000u), Owner(data));
        Assert.False(svc.Get("busy").Record.OwnersUnshifted);
        Assert.True(svc.Create("fresh", null, null, null).Record.OwnersUnshifted);
        Assert.False(NewService(shared).Create("shifted", null, null, null).Record.OwnersUnshifted);
    }

    private string PlantVolume(string name, string json)
    {
        string dir = Path.Combine(scratch.Path, "volumes", name);
        Directory.CreateDirectory(Path.Combine(dir, "_data"));
        File.WriteAllText(Path.Combine(dir, "volume.json"), json);
        return Path.Combine(dir, "_data");
    }

    private static (uint Uid, uint Gid) Owner(string path)
    {
        Assert.Equal(0, Bulwark.Native.Interop.Fstatat(Bulwark.Native.Interop.AtFdCwd, path, out var st, Bulwark.Native.Interop.AtSymlinkNoFollow));
        return (st.Uid, st.Gid);
    }
}
