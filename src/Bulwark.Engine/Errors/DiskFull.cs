using Bulwark.Native;

namespace Bulwark.Engine.Errors;

/// <summary>
/// A write that failed because a filesystem has no space (ENOSPC) or the quota is used up (EDQUOT): recognised here,
/// and turned into an error that names the full filesystem instead of an opaque I/O failure.
/// </summary>
public static class DiskFull
{
    /// <summary>True when <paramref name="ex"/> is a write refused for lack of space or quota (or the error made of one).</summary>
    /// <remarks>.NET on Unix carries the raw errno in <see cref="Exception.HResult"/> of the IOException it throws.</remarks>
    public static bool Is(Exception ex) => ex switch
    {
        ErrnoException e => e.Errno is Errno.ENOSPC or Errno.EDQUOT,
        IOException io => io.HResult is Errno.ENOSPC or Errno.EDQUOT,
        EngineException { InnerException: { } cause } => Is(cause),
        _ => false,
    };

    /// <summary>
    /// "[&lt;subject&gt;: ]no space left on device: &lt;path&gt; (the filesystem of the data root is full)": a 500, as
    /// Docker answers ENOSPC; <paramref name="path"/> is what could not be written, under the data root.
    /// </summary>
    public static EngineException Error(string? subject, string path, Exception cause) =>
        new(ErrorKind.Internal,
            $"{(subject is null ? "" : subject + ": ")}no space left on device: {path} (the filesystem of the data root is full)", cause);
}
