using Bulwark.Engine.Containers.Archive;

namespace Bulwark.Engine.Tests.Containers.Archive;

public sealed class GoFileModeTests
{
    [Theory]
    [InlineData(0x41ED, 2147484141u)] // drwxr-xr-x: the capture's /tmp/ stat
    [InlineData(0x81A4, 420u)] // -rw-r--r--: the capture's hostfile.txt
    [InlineData(0xA1FF, 134218239u)] // lrwxrwxrwx
    [InlineData(0x43FF, 2148532735u)] // drwxrwxrwt
    [InlineData(0x89ED, 8389101u)] // -rwsr-xr-x
    [InlineData(0x21B6, 69206454u)] // crw-rw-rw-
    [InlineData(0x11A4, 33554852u)] // prw-r--r--
    public void FromUnix_StMode_IsGoFileMode(uint stMode, uint expected) => Assert.Equal(expected, GoFileMode.FromUnix(stMode));
}
