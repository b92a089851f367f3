using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>isolate CTR [--freeze] [--undo]</c>: incident response: cut a running container off without killing it.</summary>
internal static class IsolateCommand
{
    public static Command Isolate(CliContext context)
    {
        var container = new Argument<string>("CONTAINER") { Description = "The running container to isolate" };
        var freeze = new Option<bool>("--freeze") { Description = "Also freeze it (its processes stop running until --undo)" };
        var undo = new Option<bool>("--undo") { Description = "Reverse an isolation: links and routes back, thawed if isolate froze it" };
        var command = new Command("isolate",
            "Cut a running container off without killing it: its network down to loopback, no new exec or start, optionally frozen")
        {
            container, freeze, undo,
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            if (result.GetValue(undo) && result.GetValue(freeze))
            {
                throw new CliException(125, "--freeze and --undo cannot be used together");
            }
            using var client = context.CreateClient(result);
            var r = await client.IsolateAsync(result.GetValue(container)!, result.GetValue(freeze), result.GetValue(undo), ct).ConfigureAwait(false);
            string summary = !r.Isolated ? "released: network restored, exec allowed"
                : $"isolated: links down: {(r.LinksDown.Count == 0 ? "none (loopback only)" : string.Join(", ", r.LinksDown))}; exec refused" +
                  (r.Frozen ? "; frozen" : "");
            await context.Out.WriteLineAsync($"{r.ID[..12]} {summary}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
