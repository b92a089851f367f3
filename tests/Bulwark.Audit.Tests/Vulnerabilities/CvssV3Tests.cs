using Bulwark.Audit.Vulnerabilities;

namespace Bulwark.Audit.Tests.Vulnerabilities;

public sealed class CvssV3Tests
{
    [Theory]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)]
    [InlineData("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8)]
    [InlineData("CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0)]
    public void BaseScore_KnownVectors(string vector, double expected) => Assert.Equal(expected, CvssV3.BaseScore(vector));

    [Theory]
    [InlineData("CVSS:2.0/AV:N")]
    [InlineData("CVSS:3.1/AV:N/AC:L")]
    [InlineData("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    public void BaseScore_IncompleteVector_IsNull(string vector) => Assert.Null(CvssV3.BaseScore(vector));

    [Theory]
    [InlineData(9.8, Severity.Critical)]
    [InlineData(7.0, Severity.High)]
    [InlineData(6.9, Severity.Medium)]
    [InlineData(0.1, Severity.Low)]
    [InlineData(0.0, Severity.Unknown)]
    public void FromScore_CvssRatings(double score, Severity expected) => Assert.Equal(expected, SeverityNames.FromScore(score));
}
