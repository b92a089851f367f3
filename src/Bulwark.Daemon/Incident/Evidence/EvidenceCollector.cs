using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Events;

namespace Bulwark.Daemon.Incident.Evidence;

/// <summary>
/// Collects an evidence bundle for one container with the daemon's privileges and without touching the container's
/// state: no pause, no exec, no write into it. Everything is read from the outside: the bundle's config.json, /proc of
/// each pid in its cgroup, its overlay upper directory, its log file and the daemon's event history. The result is a
/// tar whose manifest.json lists every other file with its size and sha256, and whose manifest.sig is the daemon's
/// signature over manifest.json.
/// </summary>
/// <remarks>
/// Never collected: /proc/PID/environ (it can hold credentials passed as environment variables), the contents of open
/// files (only what each fd points to), and the /run/secrets tmpfs (it is a separate mount, not in the upper directory,
/// and the collector reads no mount of the container).
/// </remarks>
internal sealed class EvidenceCollector(ContainerService containers, EventBus events, EvidenceSigningKey key)
{
    /// <summary>The most bytes of changed files (fs-diff.tar) a bundle carries; past it the tar is left out and the manifest says so.</summary>
    public const long FsDiffCap = 32L << 20;

    /// <summary>The most bytes of the container's log kept (the newest ones).</summary>
    public const long LogCap = 8L << 20;

    private static readonly string[] ProcFiles = ["status", "cmdline", "maps", "cgroup", "uid_map", "gid_map", "mountinfo"];
    private static readonly string[] NetFiles = ["tcp", "tcp6", "udp", "udp6", "unix"];

    /// <summary>Gathers every part in memory (bounded by the caps), so a failure is an ordinary error before any byte is sent.</summary>
    public async Task<EvidenceBundle> CollectAsync(string reference, byte[] inspectJson, CancellationToken ct)
    {
        var record = containers.Get(reference);
        var files = new List<(string Name, byte[] Data)>();
        var notes = new List<string>
        {
            "environ: /proc/PID/environ is not collected: environment variables can hold credentials",
            "secrets: the /run/secrets tmpfs is never read; open files are listed by link target, not content",
        };
        files.Add(("inspect.json", inspectJson));

        string config = containers.BundleConfigPath(record.Id);
        if (File.Exists(config))
        {
            files.Add(("security/config.json", await File.ReadAllBytesAsync(config, ct).ConfigureAwait(false)));
        }

        if (record.State is ContainerState.Running or ContainerState.Paused)
        {
            CollectProcesses(containers.ProcessIds(record.Id), files, notes);
        }
        else
        {
            notes.Add($"processes: none, the container is {record.State.ToString().ToLowerInvariant()}");
        }

        await CollectDiffAsync(record.Id, files, notes, ct).ConfigureAwait(false);
        CollectLog(containers.GetLogPath(record), files, notes);
        files.Add(("events.json", EventsOf(record.Id)));

        byte[] manifest = Manifest(record.Id, files, notes);
        byte[] signature = Encoding.ASCII.GetBytes(Convert.ToBase64String(key.Sign(manifest)) + "\n");
        return new EvidenceBundle(files, manifest, signature);
    }

    private static void CollectProcesses(IReadOnlySet<int> pids, List<(string, byte[])> files, List<string> notes)
    {
        bool first = true;
        foreach (int pid in pids.Order())
        {
            string proc = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";
            string dir = $"processes/{pid.ToString(CultureInfo.InvariantCulture)}";
            foreach (string f in ProcFiles)
            {
                TryAdd(files, notes, $"{dir}/{f}", () => File.ReadAllBytes($"{proc}/{f}"));
            }
            TryAdd(files, notes, $"{dir}/fd.txt", () => Links($"{proc}/fd"));
            TryAdd(files, notes, $"{dir}/ns.txt", () => Links($"{proc}/ns"));
            if (first)
            {
                // One network namespace per container: its sockets, read through the first pid.
                foreach (string f in NetFiles)
                {
                    TryAdd(files, notes, $"network/{f}", () => File.ReadAllBytes($"{proc}/net/{f}"));
                }
                first = false;
            }
        }
    }

    /// <summary>"name -> target" for each link in a /proc directory (fd or ns), sorted by name.</summary>
    private static byte[] Links(string dir)
    {
        var sb = new StringBuilder();
        foreach (string entry in Directory.GetFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed while listing
            }
            sb.Append(Path.GetFileName(entry)).Append(" -> ").Append(target ?? "?").Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void TryAdd(List<(string, byte[])> files, List<string> notes, string name, Func<byte[]> read)
    {
        try
        {
            files.Add((name, read()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{name}: not collected: {e.Message}");
        }
    }

    private async Task CollectDiffAsync(string id, List<(string, byte[])> files, List<string> notes, CancellationToken ct)
    {
        var changes = new StringBuilder();
        foreach (var c in containers.Changes(id, ct))
        {
            changes.Append(c.Kind switch { Bulwark.Engine.Containers.Archive.ContainerChangeKind.Added => 'A', Bulwark.Engine.Containers.Archive.ContainerChangeKind.Deleted => 'D', _ => 'C' }).Append(' ').Append(c.Path).Append('\n');
        }
        files.Add(("filesystem/changes.txt", Encoding.UTF8.GetBytes(changes.ToString())));
        using var buffer = new CappedBuffer(FsDiffCap);
        try
        {
            await containers.WriteDiffAsync(id, buffer, ct).ConfigureAwait(false);
            files.Add(("filesystem/fs-diff.tar", buffer.ToArray()));
            notes.Add($"fs-diff: the changed files themselves, capped at {FsDiffCap} bytes: complete");
        }
        catch (CapExceededException)
        {
            notes.Add($"fs-diff: the changed files exceed the cap of {FsDiffCap} bytes: fs-diff.tar left out, changes.txt lists them");
        }
    }

    private static void CollectLog(string path, List<(string, byte[])> files, List<string> notes)
    {
        if (!File.Exists(path))
        {
            notes.Add("logs: no log file");
            return;
        }
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long start = Math.Max(0, fs.Length - LogCap);
        if (start > 0)
        {
            notes.Add($"logs: {fs.Length} bytes, the newest {LogCap} kept");
        }
        fs.Position = start;
        using var ms = new MemoryStream();
        fs.CopyTo(ms);
        files.Add(("logs/container-json.log", ms.ToArray()));
    }

    private byte[] EventsOf(string id)
    {
        var (past, _, subscription) = events.Subscribe();
        using (subscription)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartArray();
                foreach (var e in past.Where(e => e.ActorId == id))
                {
                    w.WriteStartObject();
                    w.WriteString("type", e.Type);
                    w.WriteString("action", e.Action);
                    w.WriteString("id", e.ActorId);
                    w.WriteString("time", e.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                    w.WriteStartObject("attributes");
                    foreach (var (k, v) in e.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
                    {
                        w.WriteString(k, v);
                    }
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            return ms.ToArray();
        }
    }

    private static byte[] Manifest(string id, List<(string Name, byte[] Data)> files, List<string> notes)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("container", id);
            w.WriteString("collected", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("signature", "manifest.sig: ECDSA P-256 SHA-256 (IEEE P1363) over manifest.json, base64; key: GET /bulwark/evidence/key");
            w.WriteStartArray("notes");
            foreach (string n in notes)
            {
                w.WriteStringValue(n);
            }
            w.WriteEndArray();
            w.WriteStartArray("files");
            foreach (var (name, data) in files)
            {
                w.WriteStartObject();
                w.WriteString("path", name);
                w.WriteNumber("size", data.Length);
                w.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(data)));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }
}

/// <summary>A collected bundle: its files, then manifest.json and manifest.sig.</summary>
internal sealed record EvidenceBundle(IReadOnlyList<(string Name, byte[] Data)> Files, byte[] Manifest, byte[] Signature)
{
    /// <summary>Writes the bundle as a tar (pax).</summary>
    public async Task WriteToAsync(Stream output, CancellationToken ct)
    {
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var (name, data) in Files.Append(("manifest.json", Manifest)).Append(("manifest.sig", Signature)))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                    ModificationTime = DateTimeOffset.UtcNow,
                    DataStream = new MemoryStream(data, writable: false),
                };
                await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
            }
        }
    }
}
