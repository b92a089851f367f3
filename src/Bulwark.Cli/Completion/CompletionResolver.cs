using System.CommandLine;

namespace Bulwark.Cli.Completion;

internal enum NameKind
{
    None,
    Container,
    RunningContainer,
    Image,
    Network,
    Volume,
    Secret,
}

/// <summary>
/// Finds the candidates for the last of the typed words: walks the command tree through the earlier words, then
/// offers flags (word starts with <c>-</c>), subcommands, or the daemon's names for the argument in that position.
/// </summary>
internal sealed class CompletionResolver(RootCommand root, Func<NameKind, string?, CancellationToken, Task<IEnumerable<string>>> names)
{
    /// <summary>Commands whose arguments name running containers (the rest take any container).</summary>
    private static readonly HashSet<string> RunningOnly = new(StringComparer.Ordinal)
    {
        "exec", "attach", "pause", "top", "stats", "kill", "stop", "restart", "port",
    };

    public async Task<IReadOnlyList<string>> CompleteAsync(IReadOnlyList<string> words, CancellationToken ct)
    {
        var current = words.Count > 0 ? words[^1] : "";
        Command command = root;
        string? host = null;
        var positional = 0;
        for (var i = 0; i < words.Count - 1; i++)
        {
            var word = words[i];
            if (word.StartsWith('-'))
            {
                var option = FindOption(command, word);
                if (option is not null && TakesValue(option) && !word.Contains('=', StringComparison.Ordinal))
                {
                    if (option.Name == "--host" && i + 1 < words.Count - 1)
                    {
                        host = words[i + 1];
                    }

                    i++;
                }

                continue;
            }

            if (positional == 0 && command.Subcommands.FirstOrDefault(c => c.Name == word || c.Aliases.Contains(word)) is { } sub)
            {
                command = sub;
                continue;
            }

            positional++;
        }

        if (words.Count >= 2 && words[^2].StartsWith('-') && FindOption(command, words[^2]) is { } previous && TakesValue(previous)
            && !words[^2].Contains('=', StringComparison.Ordinal))
        {
            return []; // a flag's value: let the shell complete files
        }

        IEnumerable<string> candidates;
        if (current.StartsWith('-'))
        {
            candidates = AllOptions(command).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal) || n.Length == 2);
        }
        else
        {
            var kind = ArgumentKind(command, positional);
            var subcommands = positional == 0 ? command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name) : [];
            candidates = kind == NameKind.None ? subcommands : subcommands.Concat(await names(kind, host, ct).ConfigureAwait(false));
        }

        return [.. candidates.Where(c => c.StartsWith(current, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>What the command's argument at <paramref name="position"/> names, judged by the argument's name.</summary>
    private NameKind ArgumentKind(Command command, int position)
    {
        if (command == root)
        {
            return NameKind.None;
        }

        var index = 0;
        Argument? argument = null;
        foreach (var a in command.Arguments)
        {
            argument = a;
            if (index >= position || a.Arity.MaximumNumberOfValues > 1)
            {
                break;
            }

            index++;
        }

        if (argument is null || (index < position && argument.Arity.MaximumNumberOfValues <= 1))
        {
            return NameKind.None;
        }

        var name = argument.Name;
        if (name.StartsWith("CONTAINER", StringComparison.Ordinal))
        {
            return RunningOnly.Contains(command.Name) ? NameKind.RunningContainer : NameKind.Container;
        }

        return name switch
        {
            "IMAGE" or "NAME[:TAG|@DIGEST]" or "NAME[:TAG]" or "SOURCE_IMAGE[:TAG]" => NameKind.Image,
            "NETWORK" => NameKind.Network,
            "VOLUME" => NameKind.Volume,
            "SECRET" => NameKind.Secret,
            "NAME" => NameKind.Container,
            _ => NameKind.None,
        };
    }

    private IEnumerable<Option> AllOptions(Command command) =>
        command.Options.Concat(root.Options.Where(o => o.Recursive && command != root)).Where(o => !o.Hidden);

    private Option? FindOption(Command command, string token)
    {
        var name = token.Split('=')[0];
        return AllOptions(command).FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));
    }

    private static bool TakesValue(Option option) => option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0;
}
