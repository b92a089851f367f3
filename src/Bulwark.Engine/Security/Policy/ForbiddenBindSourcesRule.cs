namespace Bulwark.Engine.Security.Policy;

/// <summary>
/// forbidden-bind-sources: a bind whose source (symlinks resolved) is a protected path, a parent of one, or
/// (except "/") inside one, is refused. The daemon's socket, data root and exec root are always protected.
/// </summary>
public sealed class ForbiddenBindSourcesRule : IPolicyRule
{
    public string Id => "forbidden-bind-sources";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        var protectedPaths = policy.ForbiddenBindSources.Concat(request.ProtectedPaths)
            .Select(Canonical).Distinct(StringComparer.Ordinal).ToList();
        foreach (var bind in request.Spec.Storage.Binds)
        {
            string source = Canonical(bind.Source);
            foreach (string p in protectedPaths)
            {
                bool equal = source == p;
                bool parent = p != "/" && IsUnder(p, source);
                bool child = p != "/" && IsUnder(source, p);
                if (equal || parent || child)
                {
                    string how = equal ? "is" : parent ? "contains" : "is inside";
                    string mode = bind.ReadOnly ? ":ro" : "";
                    string shownSource = source == bind.Source ? source : $"{bind.Source} (resolves to {source})";
                    throw PolicyEvaluator.Refuse(Id, $"HostConfig.Binds \"{bind.Source}:{bind.Destination}{mode}\"",
                        $"{shownSource} {how} the protected host path {p}");
                }
            }
        }
    }

    /// <summary>Absolute, normalized, every existing symlink on the way resolved.</summary>
    public static string Canonical(string path)
    {
        string full = Path.GetFullPath(path);
        if (full.Length > 1)
        {
            full = full.TrimEnd('/');
        }

        // Resolve from the root down so that a symlinked parent directory is followed too.
        string resolved = "/";
        var pending = new Queue<string>(full.Split('/', StringSplitOptions.RemoveEmptyEntries));
        int hops = 0;
        while (pending.Count > 0)
        {
            string part = pending.Dequeue();
            string candidate = resolved == "/" ? "/" + part : resolved + "/" + part;
            FileSystemInfo info = new FileInfo(candidate);
            if (info.LinkTarget is { } target && hops++ < 40)
            {
                string next = Path.GetFullPath(target, resolved);
                var rest = pending.ToList();
                pending = new Queue<string>(next.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                resolved = "/";
                continue;
            }

            resolved = candidate;
        }

        return resolved;
    }

    private static bool IsUnder(string path, string ancestor) =>
        ancestor == "/" ? path != "/" : path.StartsWith(ancestor + "/", StringComparison.Ordinal);
}
