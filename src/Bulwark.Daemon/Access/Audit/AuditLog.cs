using System.Globalization;
using Bulwark.Api.Models.Audit;

namespace Bulwark.Daemon.Access.Audit;

/// <summary>
/// Append-only, hash-chained audit log under <c>&lt;data-root&gt;/audit/</c> (files <c>audit-000001.jsonl</c>, …, 0600).
/// Sealed every <see cref="SealEvery"/> entries, on a timer, at rotation and at shutdown with a key kept outside the
/// log (<c>audit-seal.key</c> beside it); the last seal's position is kept in <c>audit-seal.state</c>, so cutting
/// sealed entries off the end shows too. Rotation starts a new file whose first entry chains to the old file's last.
/// </summary>
internal sealed class AuditLog : IDisposable
{
    public const string FilePrefix = "audit-";
    public const string FileSuffix = ".jsonl";
    private readonly Lock _gate = new();
    private readonly AuditFiles _files;
    private readonly byte[] _key;
    private readonly long _maxFileBytes;
    private readonly Timer _sealTimer;
    private FileStream _current;
    private int _fileIndex;
    private long _seq;
    private string _lastHash;
    private int _unsealed;
    private bool _disposed;

    public AuditLog(AuditFiles files, long maxFileBytes = 16 * 1024 * 1024, TimeSpan? sealInterval = null)
    {
        _files = files;
        _maxFileBytes = maxFileBytes;
        Directory.CreateDirectory(files.Directory);
        File.SetUnixFileMode(files.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _key = files.LoadOrCreateKey();
        (_fileIndex, _seq, _lastHash) = Recover(files);
        _current = Open(_fileIndex == 0 ? ++_fileIndex : _fileIndex);
        var interval = sealInterval ?? TimeSpan.FromSeconds(30);
        _sealTimer = new Timer(_ => SealIfNeeded(), null, interval, interval);
    }

    public int SealEvery { get; init; } = 100;

    /// <summary>Appends one request entry (seq, time, prev and hash are filled in here).</summary>
    public void Append(AuditEntry entry)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            Write(entry with { Type = AuditEntry.RequestType });
            if (++_unsealed >= SealEvery)
            {
                SealLocked();
            }
        }
    }

    /// <summary>Seals now if anything is unsealed (also fsyncs the file).</summary>
    public void SealIfNeeded()
    {
        lock (_gate)
        {
            if (!_disposed && _unsealed > 0)
            {
                SealLocked();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            if (_unsealed > 0)
            {
                SealLocked();
            }
            _disposed = true;
            _current.Dispose();
        }
        _sealTimer.Dispose();
    }

    private void SealLocked()
    {
        long seq = _seq + 1;
        Write(new AuditEntry { Type = AuditEntry.SealType, Mac = AuditChain.Mac(_key, _lastHash, seq) });
        _current.Flush(flushToDisk: true);
        _files.WriteSealState(_seq, _lastHash);
        _unsealed = 0;
    }

    private void Write(AuditEntry entry)
    {
        if (_current.Length >= _maxFileBytes && entry.Type == AuditEntry.RequestType)
        {
            SealLocked();
            _current.Dispose();
            _current = Open(++_fileIndex);
        }
        var full = entry with
        {
            Seq = _seq + 1,
            Time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            Prev = _lastHash,
        };
        var (line, hash) = AuditChain.Encode(full);
        _current.Write(line);
        _current.Flush();
        _seq = full.Seq;
        _lastHash = hash;
    }

    private FileStream Open(int index)
    {
        string path = _files.PathOf(index);
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        if (stream.Length > 0)
        {
            // A crash can leave a partial last line: end it, so the next entry starts a line (verify reports the fragment).
            using var tail = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            tail.Seek(-1, SeekOrigin.End);
            if (tail.ReadByte() != '\n')
            {
                stream.Write("\n"u8);
            }
        }
        return stream;
    }

    /// <summary>The newest file, and the seq and hash of its last intact entry (so the chain continues across restarts).</summary>
    private static (int Index, long Seq, string Hash) Recover(AuditFiles files)
    {
        var existing = files.List();
        for (int i = existing.Count - 1; i >= 0; i--)
        {
            long seq = 0;
            string? hash = null;
            foreach (byte[] line in AuditFiles.Lines(existing[i].Path))
            {
                if (AuditChain.Decode(line, out _) is { } e)
                {
                    seq = e.Seq;
                    hash = e.Hash;
                }
            }
            if (hash is not null)
            {
                return (existing[^1].Index, seq, hash);
            }
        }
        return (existing.Count > 0 ? existing[^1].Index : 0, 0, AuditChain.Genesis);
    }
}
