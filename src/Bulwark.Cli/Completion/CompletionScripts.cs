namespace Bulwark.Cli.Completion;

/// <summary>
/// The shell side of completion: each script hands the words typed so far to <c>bulwark __complete</c>, which answers
/// with one candidate a line (commands, flags, and names of containers, images, networks, volumes and secrets from the
/// daemon); with no candidate the shell completes file names.
/// </summary>
internal static class CompletionScripts
{
    public const string Bash = """
        # bash completion for bulwark: source <(bulwark completion bash)
        _bulwark() {
            local cur="${COMP_WORDS[COMP_CWORD]}"
            local IFS=$'\n'
            COMPREPLY=( $(command bulwark __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
            if [ "${#COMPREPLY[@]}" -eq 0 ]; then
                COMPREPLY=( $(compgen -f -- "$cur") )
            fi
        }
        complete -o default -F _bulwark bulwark

        """;

    public const string Zsh = """
        #compdef bulwark
        # zsh completion for bulwark: bulwark completion zsh > "${fpath[1]}/_bulwark"  (or: source <(bulwark completion zsh))
        _bulwark() {
            local -a candidates
            candidates=("${(@f)$(command bulwark __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
            if (( ${#candidates[@]} )) && [[ -n "${candidates[1]}" ]]; then
                compadd -Q -- "${candidates[@]}"
            else
                _files
            fi
        }
        if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then
            _bulwark "$@"
        else
            compdef _bulwark bulwark
        fi

        """;
}
