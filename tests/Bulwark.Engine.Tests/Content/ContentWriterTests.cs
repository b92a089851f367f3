using System.Security.Cryptography;
using System.Text;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Tests.Images;

namespace Bulwark.Engine.Tests.Content;

public sealed class ContentWriterTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();
    private readonly ContentStore store;

    public ContentWriterTests()
    {
        store = new ContentStore(scratch.Path);
    }

    public void Dispose() => scratch.Dispose();

    [Fact]
    public async Task WriteAsync_RightDigest_BlobReadOnlyAtContentAddress()
    {
        var data = Encoding.UTF8.GetBytes("hello blob");
        var expected = Digest.FromHash(SHA256.HashData(data));
        var info = await store.WriteAsync(new MemoryStream(data), expected, CancellationToken.None);
        Assert.Equal(expected, info.Digest);
        Assert.Equal(data.Length, info.Size);
        string path = Path.Combine(scratch.Path, "content/blobs/sha256", expected.Hex);
        Assert.Equal(data, File.ReadAllBytes(path));
        Bulwark.Native.Interop.Fstatat(Bulwark.Native.Interop.AtFdCwd, path, out var st, 0);
        Assert.Equal(0x124u, st.Mode & 0xFFF);
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.IngestDirectory));
    }

    [Fact]
    public async Task WriteAsync_WrongDigest_NoBlobNoTemp()
    {
        var wrong = Digest.FromHex(new string('0', 64));
        var ex = await Assert.ThrowsAsync<EngineException>(() =>
            store.WriteAsync(new MemoryStream("not matching"u8.ToArray()), wrong, "layer " + wrong, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.StartsWith($"layer {wrong}: digest mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.BlobDirectory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.IngestDirectory));
    }

    [Fact]
    public async Task OpenWriter_DisposedWithoutCommit_TempRemoved()
    {
        await using (var w = store.OpenWriter())
        {
            await w.WriteAsync("partial"u8.ToArray());
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(store.IngestDirectory));
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task WriteAsync_SameContentTwice_OneBlob()
    {
        await store.WriteAsync(new MemoryStream("x"u8.ToArray()), null, CancellationToken.None);
        await store.WriteAsync(new MemoryStream("x"u8.ToArray()), null, CancellationToken.None);
        Assert.Single(store.List());
    }
}
