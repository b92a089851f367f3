using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Metadata;

/// <summary>
/// The one temp-then-rename writer of the engine's record files (containers, networks, secrets, OCI bundles): a
/// reader sees the old file or the new one, never half of one. A write that fails — most often on a full disk —
/// removes its temp file at once (it holds space the disk lacks) and leaves the old file in place; on a full disk it
/// throws the <see cref="DiskFull"/> error naming the file. Every caller writes under the data root.
/// </summary>
internal static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> writes. <paramref name="durable"/> adds an
    /// fsync before the rename; <paramref name="mode"/>, when given, is the new file's mode from its creation on.
    /// </summary>
    public static void Write(string path, Action<Stream> write, bool durable = true, UnixFileMode? mode = null)
    {
        string tmp = path + TempSuffix;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (mode is { } m)
            {
                options.UnixCreateMode = m;
            }
            using (var fs = new FileStream(tmp, options))
            {
                write(fs);
                fs.Flush(flushToDisk: durable);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            TryDelete(tmp);
            throw DiskFull.Error(null, path, ex);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    public static void Write(string path, byte[] content, bool durable = true, UnixFileMode? mode = null) =>
        Write(path, s => s.Write(content), durable, mode);

    /// <summary>Removes the temp file a crash left beside <paramref name="path"/> (the file itself is the last complete one).</summary>
    public static void RemoveLeftover(string path) => TryDelete(path + TempSuffix);

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // Startup removes it at the latest.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
