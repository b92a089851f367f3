using Bulwark.Engine.Ports.Redirect;

namespace Bulwark.Engine.Tests.Ports.Redirect;

/// <summary>The hand-assembled programs' shape: every conditional jump lands on the final "return 1" pair.</summary>
public sealed class ConnectRedirectProgramTests
{
    [Theory]
    [InlineData(4, 21)]
    [InlineData(6, 27)]
    public void EveryJump_LandsOnReturnOne_AndTheProgramEndsWithExit(int family, int length)
    {
        var program = family == 4 ? ConnectRedirectProgram.Build4(3) : ConnectRedirectProgram.Build6(3);
        Assert.Equal(length, program.Count);
        Assert.Equal(0x95, program[^1].Code);                              // exit
        Assert.Equal((0xb7, 1), (program[^2].Code, program[^2].Immediate)); // r0 = 1
        for (int i = 0; i < program.Count; i++)
        {
            byte op = (byte)(program[i].Code & 0xf0);
            bool conditional = (program[i].Code & 0x07) is 0x05 or 0x06 && op is not (0x80 or 0x90); // JMP/JMP32, not call/exit
            if (conditional)
            {
                Assert.Equal(program.Count - 2, i + 1 + program[i].Offset);
            }
        }
    }
}
