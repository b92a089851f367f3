namespace Bulwark.Cli.Help;

/// <summary>The examples each command's help ends with (checked by a test to parse as real invocations).</summary>
internal static class CommandExamples
{
    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        [""] =
        [
            "bulwark run --rm -it busybox sh            # an interactive shell in a throwaway container",
            "bulwark run -d --name web nginx            # a background service",
            "bulwark exec -it web sh                    # a shell inside it",
            "bulwark ps --format '{{.Names}}: {{.Status}}'",
            "source <(bulwark completion bash)          # tab completion with names from the daemon",
        ],
        ["run"] = ["bulwark run --rm busybox echo hello", "bulwark run -d --name web --memory 256m nginx", "bulwark run --rm -it -v data:/data busybox sh", "bulwark run -d -p 8080:80 nginx   # 127.0.0.1:8080 unless daemon.json sets \"ip\"", "bulwark run -d -P --expose 5432 postgres"],
        ["create"] = ["bulwark create --name job busybox sh -c 'date'"],
        ["start"] = ["bulwark start web", "bulwark start -ai job   # attach and forward stdin"],
        ["exec"] = ["bulwark exec web ls /", "bulwark exec -it web sh", "bulwark exec -u 1000 -e MODE=debug -w /tmp web env", "bulwark exec -d web touch /tmp/flag"],
        ["attach"] = ["bulwark attach web", "bulwark attach --detach-keys ctrl-x web   # ctrl-x detaches, the container runs on"],
        ["ps"] = ["bulwark ps -a", "bulwark ps -q --filter status=exited", "bulwark ps --format 'table {{.ID}}\\t{{.Names}}\\t{{.Status}}'", "bulwark ps --format json"],
        ["logs"] = ["bulwark logs -f --tail 10 web"],
        ["inspect"] = ["bulwark inspect web", "bulwark inspect -f '{{.State.Status}} {{.State.ExitCode}}' web", "bulwark inspect -f '{{range .Mounts}}{{.Source}} {{end}}' web"],
        ["stats"] = ["bulwark stats", "bulwark stats --no-stream web", "bulwark stats --no-stream --format '{{.Name}} {{.MemUsage}}'"],
        ["port"] = ["bulwark port web", "bulwark port web 80/tcp"],
        ["top"] = ["bulwark top web", "bulwark top web -e -o pid -o comm"],
        ["cp"] = ["bulwark cp web:/etc/hostname ./hostname", "bulwark cp ./config.json web:/etc/app/", "bulwark cp web:/var/log - > logs.tar"],
        ["diff"] = ["bulwark diff web"],
        ["export"] = ["bulwark export -o web.tar web"],
        ["kill"] = ["bulwark kill web", "bulwark kill -s HUP web"],
        ["stop"] = ["bulwark stop -t 5 web"],
        ["restart"] = ["bulwark restart web"],
        ["pause"] = ["bulwark pause web"],
        ["unpause"] = ["bulwark unpause web"],
        ["rename"] = ["bulwark rename web web-old"],
        ["rm"] = ["bulwark rm -f web", "bulwark rm $(bulwark ps -aq --filter status=exited)"],
        ["wait"] = ["bulwark wait job"],
        ["images"] = ["bulwark images", "bulwark images --format '{{.Repository}}:{{.Tag}} {{.Size}}'"],
        ["history"] = ["bulwark history busybox", "bulwark history --no-trunc --format '{{.CreatedBy}}' busybox"],
        ["pull"] = ["bulwark pull busybox:1.36", "bulwark pull localhost:5000/app@sha256:…"],
        ["push"] = ["bulwark push localhost:5000/app:1"],
        ["save"] = ["bulwark save -o busybox.tar busybox"],
        ["load"] = ["bulwark load -i busybox.tar"],
        ["import"] = ["bulwark import rootfs.tar myimage:1"],
        ["tag"] = ["bulwark tag busybox localhost:5000/busybox:1"],
        ["rmi"] = ["bulwark rmi busybox"],
        ["events"] = ["bulwark events", "bulwark events --since 10m --until 0s --filter type=container", "bulwark events --filter event=die --format '{{.Actor.Attributes.name}}'"],
        ["network"] = ["bulwark network create --subnet 10.10.0.0/24 backend", "bulwark network connect backend web"],
        ["network create"] = ["bulwark network create backend", "bulwark network create --subnet 10.10.0.0/24 --gateway 10.10.0.1 --internal backend"],
        ["network ls"] = ["bulwark network ls", "bulwark network ls -q --filter driver=bridge", "bulwark network ls --format '{{.Name}} {{.Driver}}'"],
        ["network inspect"] = ["bulwark network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' backend"],
        ["network connect"] = ["bulwark network connect --alias db backend postgres"],
        ["network disconnect"] = ["bulwark network disconnect backend postgres"],
        ["network prune"] = ["bulwark network prune -f"],
        ["network rm"] = ["bulwark network rm backend"],
        ["secret"] = ["printf s3cret | bulwark secret create db_password -", "bulwark secret ls"],
        ["secret create"] = ["printf s3cret | bulwark secret create db_password -", "bulwark secret create --label env=prod tls_key ./key.pem"],
        ["secret ls"] = ["bulwark secret ls --format '{{.Name}} {{.CreatedAt}}'"],
        ["secret inspect"] = ["bulwark secret inspect -f '{{.Spec.Name}}' db_password"],
        ["secret rm"] = ["bulwark secret rm db_password"],
        ["volume"] = ["bulwark volume create data", "bulwark volume ls --format '{{.Name}}'"],
        ["system"] = ["bulwark system df", "bulwark system prune -f --volumes"],
        ["system df"] = ["bulwark system df"],
        ["system prune"] = ["bulwark system prune -f", "bulwark system prune -af --volumes"],
        ["container prune"] = ["bulwark container prune -f"],
        ["image prune"] = ["bulwark image prune -f", "bulwark image prune -af"],
        ["volume prune"] = ["bulwark volume prune -f"],
        ["completion"] = ["source <(bulwark completion bash)", "bulwark completion zsh > \"${fpath[1]}/_bulwark\""],
        ["version"] = ["bulwark version", "bulwark version --client"],
        ["info"] = ["bulwark info"],
    };

    public static IReadOnlyList<string>? For(string commandPath) => Examples.TryGetValue(commandPath, out var e) ? e : null;

    public static IEnumerable<string> CommandPaths => Examples.Keys;
}
