using System.CommandLine;
using System.Net.Sockets;
using Bulwark.Client;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>system dial-stdio</c>: relays stdin and stdout to the daemon's socket, byte for byte (what an ssh client runs on
/// the far side to reach the API; the daemon sees the ssh user's uid through SO_PEERCRED).
/// </summary>
internal static class DialStdioCommand
{
    public static Command Create(CliContext context)
    {
        var dial = new Command("dial-stdio", "Proxy the stdio stream to the daemon's socket (for ssh)");
        dial.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            if (context.ResolveAddress(result.GetValue(context.Host)) is not UnixSocketAddress { Path: var path })
            {
                throw new CliException(1, "dial-stdio relays to this machine's daemon socket: --host or BULWARK_HOST must be a unix socket here, not ssh://");
            }

            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
            await using var network = new NetworkStream(socket, ownsSocket: false);
            await using var stdin = context.OpenStdin();
            await using var stdout = context.OpenStdout();
            var upstream = Task.Run(async () =>
            {
                await stdin.CopyToAsync(network, ct).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Send); // the client's half-close reaches the daemon as input EOF
            }, ct);
            await network.CopyToAsync(stdout, ct).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return 0;
        }));
        return dial;
    }
}
