using System.CommandLine;

namespace Bulwark.Cli.Parsing;

/// <summary>
/// Docker stops flag parsing at the first positional argument of <c>run</c>/<c>create</c> (and <c>exec</c>, <c>top</c>,
/// also under <c>container</c>): everything after IMAGE (or CONTAINER) is
/// the container's command even if it looks like a flag. System.CommandLine does not, so a <c>--</c> is inserted
/// right after IMAGE before parsing.
/// </summary>
internal static class ArgvNormalizer
{
    public static string[] Normalize(IReadOnlyList<string> args, RootCommand root, IReadOnlySet<string> interspersedCommands)
    {
        var i = SkipOptions(args, 0, root);
        if (i >= args.Count)
        {
            return [.. args];
        }

        // The command may sit in a management group ("container exec"): the set names it by its path.
        var path = args[i];
        var command = root.Subcommands.FirstOrDefault(c => c.Name == args[i]);
        if (command is not null && !interspersedCommands.Contains(path) && command.Subcommands.Count > 0)
        {
            var next = SkipOptions(args, i + 1, command, root);
            if (next < args.Count && command.Subcommands.FirstOrDefault(c => c.Name == args[next]) is { } sub)
            {
                (i, path, command) = (next, path + " " + args[next], sub);
            }
        }

        if (command is null || !interspersedCommands.Contains(path))
        {
            return [.. args];
        }

        var imageIndex = SkipOptions(args, i + 1, command, root);
        if (imageIndex >= args.Count)
        {
            return [.. args];
        }

        if (args[imageIndex] == "--")
        {
            imageIndex++;
            if (imageIndex >= args.Count)
            {
                return [.. args];
            }

            // "-- IMAGE args...": drop the user's separator; ours follows IMAGE.
            return [.. args.Take(imageIndex - 1), args[imageIndex], "--", .. args.Skip(imageIndex + 1)];
        }

        if (imageIndex == args.Count - 1)
        {
            return [.. args];
        }

        return [.. args.Take(imageIndex + 1), "--", .. args.Skip(imageIndex + 1)];
    }

    /// <summary>Index of the first positional token at or after <paramref name="start"/>.</summary>
    private static int SkipOptions(IReadOnlyList<string> args, int start, Command command, RootCommand? root = null)
    {
        var i = start;
        while (i < args.Count)
        {
            var token = args[i];
            if (token == "--" || token == "-" || !token.StartsWith('-'))
            {
                return i;
            }

            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                i += token.Contains('=', StringComparison.Ordinal) || !TakesValue(token, command, root) ? 1 : 2;
                continue;
            }

            if (FindOption(token, command, root) is not null)
            {
                i += TakesValue(token, command, root) ? 2 : 1;
                continue;
            }

            // Bundled short flags: -it, -dit, -eFOO=bar.
            var skip = 1;
            for (var c = 1; c < token.Length; c++)
            {
                var alias = "-" + token[c];
                if (FindOption(alias, command, root) is null)
                {
                    break;
                }

                if (TakesValue(alias, command, root))
                {
                    skip = c == token.Length - 1 ? 2 : 1;
                    break;
                }
            }

            i += skip;
        }

        return i;
    }

    private static bool TakesValue(string token, Command command, RootCommand? root)
    {
        var option = FindOption(token, command, root);
        return option is not null && option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0;
    }

    private static Option? FindOption(string token, Command command, RootCommand? root)
    {
        foreach (var option in command.Options)
        {
            if (option.Name == token || option.Aliases.Contains(token))
            {
                return option;
            }
        }

        if (root is not null)
        {
            foreach (var option in root.Options)
            {
                if (option.Recursive && (option.Name == token || option.Aliases.Contains(token)))
                {
                    return option;
                }
            }
        }

        return null;
    }
}
