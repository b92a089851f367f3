using Bulwark.Daemon.Api.Streams;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Tests.Api.Streams;

public sealed class DetachKeysTests
{
    [Fact]
    public void Filter_DefaultCtrlPCtrlQ_DetachesAndForwardsWhatCameBefore()
    {
        var keys = DetachKeys.Parse(null);
        var (forward, detach) = keys.Filter([(byte)'l', (byte)'s', 0x10, 0x11, (byte)'x']);
        Assert.True(detach);
        Assert.Equal("ls"u8.ToArray(), forward);
    }

    [Fact]
    public void Filter_SequenceSplitAcrossReads_StillDetaches()
    {
        var keys = DetachKeys.Parse("ctrl-p,ctrl-q");
        var first = keys.Filter([0x10]);
        Assert.Empty(first.Forward);
        Assert.False(first.Detach);
        Assert.True(keys.Filter([0x11]).Detach);
    }

    [Fact]
    public void Filter_BrokenOffPrefix_IsForwardedAsOrdinaryInput()
    {
        var keys = DetachKeys.Parse(null);
        var (forward, detach) = keys.Filter([0x10, (byte)'a', 0x10, 0x10, 0x11]);
        Assert.True(detach);
        Assert.Equal(new byte[] { 0x10, (byte)'a', 0x10 }, forward);
    }

    [Theory]
    [InlineData("ctrl-a,x", new byte[] { 1, (byte)'x' })]
    [InlineData("ctrl-@,ctrl-_", new byte[] { 0, 31 })]
    public void Parse_DockerSpellings_GiveTheirBytes(string spec, byte[] sequence)
    {
        var keys = DetachKeys.Parse(spec);
        Assert.True(keys.Filter(sequence).Detach);
    }

    [Fact]
    public void Parse_InvalidSpec_IsABadParameter() =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => DetachKeys.Parse("ctrl-1")).Kind);
}
