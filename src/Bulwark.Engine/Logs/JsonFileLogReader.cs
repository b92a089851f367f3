using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Bulwark.Engine.Containers;

namespace Bulwark.Engine.Logs;

/// <summary>
/// Reads Docker json-file logs written by the monitor (<c>&lt;id&gt;-json.log</c> plus rotated <c>.1</c>, <c>.2</c>…),
/// oldest first; with follow it keeps reading across rotation until the container is no longer running.
/// </summary>
public static class JsonFileLogReader
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async IAsyncEnumerable<LogEntry> ReadAsync(
        string logPath,
        LogReadOptions options,
        Func<bool> isRunning,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var rotated = new List<string>();
        for (int i = 1; File.Exists(logPath + "." + i); i++)
        {
            rotated.Add(logPath + "." + i);
        }
        rotated.Reverse();

        // Historic part: rotated files then the current file up to its present end. The current file is read through
        // a handle that follow keeps: when the container exits and is removed (docker-py's run(remove=True) removes
        // before it reads the stream), the last lines are still read from it although the path is gone.
        var history = new List<LogEntry>();
        foreach (string f in rotated)
        {
            await foreach (var e in ReadFileAsync(f, 0, options, ct).ConfigureAwait(false))
            {
                history.Add(e.Entry);
            }
        }
        FileStream? current = OpenOrNull(logPath);
        try
        {
            long offset = 0;
            ulong inode = current is null ? 0 : Native.FileStatus.Inode(current.SafeFileHandle);
            if (current is not null)
            {
                await foreach (var e in ReadStreamAsync(current, 0, options, ct).ConfigureAwait(false))
                {
                    history.Add(e.Entry);
                    offset = e.EndOffset;
                }
            }
            int skip = options.Tail is int t && t >= 0 ? Math.Max(0, history.Count - t) : 0;
            for (int i = skip; i < history.Count; i++)
            {
                yield return history[i];
            }
            if (!options.Follow)
            {
                yield break;
            }

            while (!ct.IsCancellationRequested)
            {
                bool running = isRunning();
                bool any = false;
                if (current is not null)
                {
                    await foreach (var e in ReadStreamAsync(current, offset, options, ct).ConfigureAwait(false))
                    {
                        any = true;
                        offset = e.EndOffset;
                        yield return e.Entry;
                    }
                }
                ulong now = Inode(logPath);
                if (now != 0 && now != inode)
                {
                    // Rotated (our file is now .1) or created. Lines written to our file before the rotation may have
                    // come after the read above: read it to its end once more, then go on with the new file.
                    if (current is not null)
                    {
                        await foreach (var e in ReadStreamAsync(current, offset, options, ct).ConfigureAwait(false))
                        {
                            yield return e.Entry;
                        }
                        await current.DisposeAsync().ConfigureAwait(false);
                    }
                    current = OpenOrNull(logPath);
                    inode = current is null ? 0 : Native.FileStatus.Inode(current.SafeFileHandle);
                    offset = 0;
                    continue;
                }
                if (!running && !any)
                {
                    yield break;
                }
                if (!any)
                {
                    await Task.Delay(PollInterval, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static FileStream? OpenOrNull(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static ulong Inode(string path)
    {
        try
        {
            return Native.FileStatus.Inode(path);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async IAsyncEnumerable<(LogEntry Entry, long EndOffset)> ReadFileAsync(
        string path, long offset, LogReadOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var fs = OpenOrNull(path);
        if (fs is null)
        {
            yield break;
        }
        await using (fs.ConfigureAwait(false))
        {
            await foreach (var e in ReadStreamAsync(fs, offset, options, ct).ConfigureAwait(false))
            {
                yield return e;
            }
        }
    }

    /// <summary>Complete lines from <paramref name="offset"/> to the present end of an open file.</summary>
    private static async IAsyncEnumerable<(LogEntry Entry, long EndOffset)> ReadStreamAsync(
        FileStream fs, long offset, LogReadOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        if (offset > fs.Length)
        {
            offset = 0;
        }
        fs.Position = offset;
        var pending = new MemoryStream();
        byte[] buf = new byte[64 * 1024];
        long pos = offset;
        int n;
        while ((n = await fs.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
        {
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (buf[i] != (byte)'\n')
                {
                    continue;
                }
                pending.Write(buf, start, i - start);
                long lineEnd = pos + i + 1;
                var entry = Parse(pending.GetBuffer().AsSpan(0, (int)pending.Length));
                pending.SetLength(0);
                start = i + 1;
                if (entry is not null && Wanted(entry, options))
                {
                    yield return (entry, lineEnd);
                }
                else if (entry is not null && options.Until is { } u && entry.Time > u)
                {
                    yield break;
                }
            }
            pending.Write(buf, start, n - start);
            pos += n;
        }
        // An incomplete last line is left for the next read (the writer is mid-line).
    }

    private static bool Wanted(LogEntry e, LogReadOptions o) =>
        (e.Stream == OutputStream.Stdout ? o.Stdout : o.Stderr)
        && (o.Since is not { } s || e.Time >= s)
        && (o.Until is not { } u || e.Time <= u);

    internal static LogEntry? Parse(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return null;
        }
        try
        {
            var reader = new Utf8JsonReader(line);
            string? log = null;
            OutputStream stream = OutputStream.Stdout;
            DateTimeOffset time = default;
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string prop = reader.GetString()!;
                reader.Read();
                switch (prop)
                {
                    case "log":
                        log = reader.GetString();
                        break;
                    case "stream":
                        stream = reader.GetString() == "stderr" ? OutputStream.Stderr : OutputStream.Stdout;
                        break;
                    case "time":
                        time = DateTimeOffset.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            return log is null ? null : new LogEntry(stream, Encoding.UTF8.GetBytes(log), time);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }
}
