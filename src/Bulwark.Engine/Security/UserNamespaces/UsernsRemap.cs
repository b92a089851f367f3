using System.Diagnostics;
using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Security.UserNamespaces;

/// <summary>
/// daemon.json <c>userns-remap</c>: makes sure the remap user and group exist and own a subordinate id range in
/// /etc/subuid and /etc/subgid, and returns the mapping containers get. "host" (or "") disables remapping.
/// </summary>
public static class UsernsRemap
{
    public const string DefaultUser = "bulwark";

    /// <summary>Subordinate ids bulwarkd gives the remap user when it creates the entry: 1,024 ranges of 65536.</summary>
    public const uint CreatedEntrySize = IdMapping.DefaultSize * 1024;

    /// <param name="setting">"bulwark" (default), "user", "user:group", "default" (= bulwark), or "host"/"" (off).</param>
    public static async Task<IdMapping?> EnsureAsync(string setting, string etcDir, CancellationToken ct)
    {
        if (setting is "" or "host")
        {
            return null;
        }

        var (user, group) = Names(setting);
        if (user.Length == 0 || !user.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw EngineException.Invalid($"userns-remap \"{setting}\": invalid user name");
        }

        string passwd = Path.Combine(etcDir, "passwd");
        string groupFile = Path.Combine(etcDir, "group");
        if (LookupId(groupFile, group) is null)
        {
            await RunAsync("groupadd", ["--system", "--root", RootOf(etcDir), group], ct).ConfigureAwait(false);
        }

        if (LookupId(passwd, user) is null)
        {
            await RunAsync("useradd",
                ["--system", "--root", RootOf(etcDir), "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "-g", group, user],
                ct).ConfigureAwait(false);
        }

        string? uid = LookupId(passwd, user);
        var subuid = new SubordinateIdFile(Path.Combine(etcDir, "subuid"));
        var subgid = new SubordinateIdFile(Path.Combine(etcDir, "subgid"));
        var uidRange = subuid.Find(user, uid, IdMapping.DefaultSize);
        var gidRange = subgid.Find(group, LookupId(groupFile, group), IdMapping.DefaultSize);
        if (uidRange is null || gidRange is null)
        {
            // Room for a range per container (userns-ranges), like the entry an admin gives Podman's --userns=auto;
            // the shared mapping is its first 65536 ids.
            uint start = SubordinateIdFile.FreeStart([subuid, subgid], CreatedEntrySize);
            if (uidRange is null)
            {
                subuid.Append(user, start, CreatedEntrySize);
                uidRange = (start, CreatedEntrySize);
            }

            if (gidRange is null)
            {
                subgid.Append(group, start, CreatedEntrySize);
                gidRange = (start, CreatedEntrySize);
            }
        }

        return new IdMapping(user, uidRange.Value.Start, gidRange.Value.Start, IdMapping.DefaultSize);
    }

    /// <summary>The remap user and group a userns-remap setting names ("default" is bulwark; the group defaults to the user).</summary>
    public static (string User, string Group) Names(string setting)
    {
        var parts = setting.Split(':');
        string user = parts[0] == "default" ? DefaultUser : parts[0];
        return (user, parts.Length > 1 ? parts[1] : user);
    }

    /// <summary>Field 3 (the id) of the line naming <paramref name="name"/> in a passwd/group file, or null.</summary>
    internal static string? LookupId(string file, string name)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in File.ReadLines(file))
        {
            var f = line.Split(':');
            if (f.Length >= 3 && f[0] == name)
            {
                return f[2];
            }
        }

        return null;
    }

    private static string RootOf(string etcDir) => Path.GetDirectoryName(Path.GetFullPath(etcDir).TrimEnd('/')) ?? "/";

    private static async Task RunAsync(string tool, IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new EngineException(ErrorKind.Internal, $"userns-remap: could not start {tool}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new EngineException(ErrorKind.Unavailable, $"userns-remap: {tool} is not installed ({ex.Message}); create the remap user by hand or set \"userns-remap\": \"host\"", ex);
        }

        using (p)
        {
            string err = await p.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
            if (p.ExitCode != 0)
            {
                throw new EngineException(ErrorKind.Internal,
                    string.Create(CultureInfo.InvariantCulture, $"userns-remap: {tool} {string.Join(' ', args)} failed with exit code {p.ExitCode}: {err.Trim()}"));
            }
        }
    }
}
