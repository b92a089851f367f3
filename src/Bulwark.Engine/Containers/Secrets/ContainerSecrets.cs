using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Secrets;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Engine.Snapshots;
using Bulwark.Native;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Secrets;

/// <summary>
/// Delivers secrets into containers. At create the requested secrets are resolved and checked (a refusal leaves
/// nothing behind); at each start a fresh tmpfs is mounted at <c>&lt;exec-root&gt;/secrets/&lt;id&gt;</c> (outside the
/// data root; size-limited, nosuid, nodev, noexec), each value is decrypted in memory and written only there, owned
/// by the requested ids mapped through the user namespace, and the tmpfs is then remounted read-only and bound at
/// /run/secrets in that container alone. It is unmounted when the container exits, is removed, or is found stopped
/// at daemon start.
/// </summary>
internal sealed class ContainerSecrets(EngineOptions options, ContainerIndex index, SecretStore? store, ILogger logger)
{
    public const string MountPoint = "/run/secrets";
    private const int DefaultMode = 0x124; // 0444
    private const long SlackBytes = 64 * 1024;

    private string Root { get; } = Path.Combine(options.ExecRoot, "secrets");

    /// <summary>The host directory where the container's secrets tmpfs is mounted (and bound from).</summary>
    public string MountDir(string containerId) => Path.Combine(Root, containerId);

    /// <summary>Resolves and checks the requested secrets: each exists (at the version asked), targets are single
    /// file names under /run/secrets and unique, modes are permission bits only.</summary>
    public IReadOnlyList<SecretAttachment> Resolve(IReadOnlyList<SecretMountSpec> requested, IdMapping? userns)
    {
        if (requested.Count == 0)
        {
            return [];
        }
        if (store is null)
        {
            throw EngineException.Invalid("secrets: this engine has no secret store");
        }
        var result = new List<SecretAttachment>();
        foreach (var want in requested)
        {
            SecretRecord secret;
            try
            {
                secret = store.Get(want.Secret);
                if (want.Version is long v)
                {
                    secret = store.Get(secret.Id + "@" + v.ToString(CultureInfo.InvariantCulture)); // pinned: NAME@N
                }
            }
            catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
            {
                // 400, not 404: a 404 from create reads as "image missing" to clients.
                throw EngineException.Invalid(ex.Message.Contains("has no version", StringComparison.Ordinal)
                    ? ex.Message
                    : $"secret {want.Secret} not found: create it first with `bulwark secret create {want.Secret} FILE`");
            }
            int mode = want.Mode ?? DefaultMode;
            if (mode is < 0 or > 0x1FF)
            {
                throw EngineException.Invalid(
                    $"secret {secret.Name}: mode {Convert.ToString(mode, 8)} is not a permission mode (0 to 0777; no setuid, setgid or sticky bits)");
            }
            uint uid = want.Uid ?? 0;
            uint gid = want.Gid ?? 0;
            result.Add(new SecretAttachment
            {
                SecretId = secret.Id,
                Name = secret.Name,
                Version = secret.Version,
                FileName = FileNameOf(want.Target ?? secret.Name, secret.Name),
                Uid = uid,
                Gid = gid,
                HostUid = userns?.ToHostUid(uid) ?? uid,
                HostGid = userns?.ToHostGid(gid) ?? gid,
                Mode = mode,
                RootHostUid = userns?.ToHostUid(0) ?? 0,
                RootHostGid = userns?.ToHostGid(0) ?? 0,
            });
        }
        var duplicate = result.GroupBy(a => a.FileName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw EngineException.Invalid($"secrets: two secrets target the same file {MountPoint}/{duplicate.Key}");
        }
        return result;
    }

    /// <summary>The names of the containers whose records use the secret (any state), or one version of it.</summary>
    public IReadOnlyList<string> UsersOf(string secretId, long? version = null) =>
        [.. index.List().Where(r => r.Secrets.Any(s => s.SecretId == secretId && (version is null || s.Version == version))).Select(r => r.Name)];

    /// <summary>Mounts a fresh tmpfs with the container's secrets and makes it read-only (the caller holds the gate).</summary>
    public void Deliver(ContainerRecord r)
    {
        if (r.Secrets.Count == 0)
        {
            return;
        }
        if (store is null)
        {
            throw EngineException.Invalid("secrets: this engine has no secret store");
        }
        Release(r.Id);
        var values = new List<(SecretAttachment Attachment, byte[] Value)>();
        string dir = MountDir(r.Id);
        try
        {
            foreach (var a in r.Secrets)
            {
                try
                {
                    values.Add((a, store.Reveal(a.SecretId, a.Version))); // the version resolved at create
                }
                catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
                {
                    throw EngineException.Conflict($"container {r.Name}: secret {a.Name}@{a.Version} ({a.SecretId}) no longer exists");
                }
            }
            long size = SlackBytes + values.Sum(x => (x.Value.Length + 4095L) / 4096 * 4096);
            Directory.CreateDirectory(Root);
            File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(dir);
            string data = string.Create(CultureInfo.InvariantCulture,
                $"size={size},nr_inodes={values.Count + 16},mode=0555,uid={r.Secrets[0].RootHostUid},gid={r.Secrets[0].RootHostGid}");
            const ulong flags = Interop.MsNoSuid | Interop.MsNoDev | Interop.MsNoExec;
            Errno.ThrowIfFailed(Interop.Mount("tmpfs", dir, "tmpfs", flags, data), "mount tmpfs", dir);
            foreach (var (a, value) in values)
            {
                string path = Path.Combine(dir, a.FileName);
                using (var f = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }))
                {
                    f.Write(value);
                }
                Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, path, a.HostUid, a.HostGid, Interop.AtSymlinkNoFollow), "lchown", path);
                File.SetUnixFileMode(path, (UnixFileMode)a.Mode);
            }
            Errno.ThrowIfFailed(Interop.Mount("tmpfs", dir, null, Interop.MsRemount | Interop.MsRdOnly | flags, null), "remount read-only", dir);
        }
        catch (Exception ex) when (ex is ErrnoException or IOException or UnauthorizedAccessException)
        {
            Release(r.Id);
            throw new EngineException(ErrorKind.Internal, $"container {r.Name}: delivering its secrets failed: {ex.Message}", ex);
        }
        catch
        {
            Release(r.Id);
            throw;
        }
        finally
        {
            foreach (var (_, value) in values)
            {
                Array.Clear(value);
            }
        }
    }

    /// <summary>Unmounts the container's secrets tmpfs and removes its mount point. Never throws.</summary>
    public void Release(string containerId)
    {
        string dir = MountDir(containerId);
        try
        {
            while (SnapshotService.IsMounted(dir))
            {
                if (Interop.Umount2(dir, Interop.MntDetach) < 0)
                {
                    ContainerLog.CleanupFailed(logger, dir, "umount: errno " + Errno.Last.ToString(CultureInfo.InvariantCulture));
                    return;
                }
            }
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ContainerLog.CleanupFailed(logger, dir, ex.Message);
        }
    }

    /// <summary>Daemon start: releases every secrets mount whose container is not running.</summary>
    public void ReleaseAllExcept(IReadOnlySet<string> running)
    {
        if (!Directory.Exists(Root))
        {
            return;
        }
        foreach (string dir in Directory.EnumerateDirectories(Root))
        {
            string id = Path.GetFileName(dir);
            if (!running.Contains(id))
            {
                Release(id);
            }
        }
    }

    private static string FileNameOf(string target, string secretName)
    {
        string name = target.StartsWith(MountPoint + "/", StringComparison.Ordinal) ? target[(MountPoint.Length + 1)..] : target;
        if (name.Length is 0 or > 255 || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
        {
            throw EngineException.Invalid(
                $"secret {secretName}: target \"{target}\" must be a file name, or {MountPoint}/NAME (one path component, no \"..\")");
        }
        return name;
    }
}
