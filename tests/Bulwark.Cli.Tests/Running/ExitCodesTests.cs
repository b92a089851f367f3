using Bulwark.Cli.Running;

namespace Bulwark.Cli.Tests.Running;

public sealed class ExitCodesTests
{
    [Theory]
    [InlineData("exec: \"nonexist\": executable file not found in $PATH", 127)]
    [InlineData("open /bin/x: no such file or directory", 127)]
    [InlineData("exec /etc: permission denied", 126)]
    [InlineData("exec /etc: is a directory", 126)]
    [InlineData("refused by policy: privileged containers are not allowed", 125)]
    public void ForStartError_Message_DockerCode(string message, int expected) => Assert.Equal(expected, ExitCodes.ForStartError(message));
}
