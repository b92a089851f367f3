using System.Text.Json;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Tests.Output;

public sealed class ListFormatTests
{
    private static readonly List<JsonElement> Rows =
    [
        new JsonRow().Add("ID", "aaa").Add("Names", "web").Build(),
        new JsonRow().Add("ID", "bbbbbbbbbbbbbb").Add("Names", "db").Build(),
    ];

    private static readonly Dictionary<string, string> Headers = new(StringComparer.Ordinal) { ["ID"] = "CONTAINER ID", ["Names"] = "NAMES" };

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("table")]
    public void Parse_DefaultTable_IsNull(string? format) => Assert.Null(ListFormat.Parse(format));

    [Fact]
    public void Render_TableTemplate_HeaderFromTheFieldTitlesAndAlignedColumns() =>
        Assert.Equal("CONTAINER ID     NAMES\naaa              web\nbbbbbbbbbbbbbb   db\n",
            ListFormat.Parse("table {{.ID}}\\t{{.Names}}")!.Render(Rows, Headers));

    [Fact]
    public void Render_Json_OneObjectPerLine() =>
        Assert.Equal("{\"ID\":\"aaa\",\"Names\":\"web\"}\n{\"ID\":\"bbbbbbbbbbbbbb\",\"Names\":\"db\"}\n",
            ListFormat.Parse("json")!.Render(Rows, Headers));

    [Fact]
    public void Render_PlainTemplate_OneLinePerRowWithoutHeader() =>
        Assert.Equal("web=aaa\ndb=bbbbbbbbbbbbbb\n", ListFormat.Parse("{{.Names}}={{.ID}}")!.Render(Rows, Headers));
}
