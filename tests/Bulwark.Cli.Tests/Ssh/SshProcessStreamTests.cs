using Bulwark.Client;
using Bulwark.Client.Ssh;

namespace Bulwark.Cli.Tests.Ssh;

/// <summary>The ssh transport against stand-in ssh programs (shell scripts): relays bytes, reports ssh's failures.</summary>
public sealed class SshProcessStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-ssh-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string name, string body)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static SshAddress Address => new(new SshTarget("alice", "far", 2222), ["-F", "/dev/null"]);

    [Fact]
    public async Task SshThatFails_ReadReportsItsExitStatusAndStderr()
    {
        string ssh = Script("ssh", "echo 'alice@far: Permission denied (publickey).' >&2; exit 255");
        await using var stream = SshProcessStream.Start(Address, ssh);
        var ex = await Assert.ThrowsAsync<IOException>(async () => await stream.ReadExactlyAsync(new byte[16]));
        Assert.Contains("cannot reach the daemon at ssh://alice@far:2222: ssh exited with status 255", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Permission denied (publickey)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PassesTheArgumentsAndRelaysStdioBothWays_CloseWriteEndsInput()
    {
        string args = Path.Combine(_dir, "args");
        string ssh = Script("ssh", $"printf '%s\\n' \"$@\" > '{args}'; cat");
        await using var stream = SshProcessStream.Start(Address, ssh);
        await stream.WriteAsync("ping"u8.ToArray());
        stream.CloseWrite();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(copy.ToArray()));
        Assert.Equal(["-T", "-o", "ConnectTimeout=30", "-F", "/dev/null", "-l", "alice", "-p", "2222", "--", "far", "bulwark", "system", "dial-stdio"],
            await File.ReadAllLinesAsync(args));
    }

    [Fact]
    public void MissingSshProgram_SaysSo()
    {
        var ex = Assert.Throws<IOException>(() => SshProcessStream.Start(Address, Path.Combine(_dir, "no-such-ssh")));
        Assert.Contains("cannot run", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ssh://alice@far:2222", ex.Message, StringComparison.Ordinal);
    }
}
