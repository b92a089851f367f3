using System.Text;
using Bulwark.Client.Http;

namespace Bulwark.Cli.Tests.Http;

public sealed class HttpReaderTests
{
    private static async Task<(HttpResponseHead Head, string Body, bool Complete)> ReadAsync(string wire, string method = "GET")
    {
        var connection = HttpConnection.FromStream(new MemoryStream(Encoding.Latin1.GetBytes(wire)));
        var head = await connection.Reader.ReadResponseHeadAsync(CancellationToken.None);
        var body = connection.OpenBody(method, head);
        using var ms = new MemoryStream();
        await body.CopyToAsync(ms);
        return (head, Encoding.UTF8.GetString(ms.ToArray()), body.IsComplete);
    }

    [Fact]
    public async Task ReadResponseHead_ContentLength_ReadsExactBody()
    {
        var (head, body, complete) = await ReadAsync("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"a\"}EXTRA");

        Assert.Equal(201, head.StatusCode);
        Assert.Equal("Created", head.ReasonPhrase);
        Assert.Equal("application/json", head.GetHeader("content-type"));
        Assert.Equal("{\"a\"}", body);
        Assert.True(complete);
    }

    [Fact]
    public async Task ReadResponseHead_Chunked_JoinsChunksAndSkipsTrailers()
    {
        var (head, body, complete) = await ReadAsync(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n");

        Assert.True(head.IsChunked);
        Assert.Equal("Wikipedia in \r\n\r\nchunks.", body);
        Assert.True(complete);
    }

    [Fact]
    public async Task ReadResponseHead_BareLineFeeds_Tolerated()
    {
        var (head, body, _) = await ReadAsync("HTTP/1.1 404 Not Found\nContent-Type: application/json\nContent-Length: 2\n\n{}");

        Assert.Equal(404, head.StatusCode);
        Assert.Equal("{}", body);
    }

    [Fact]
    public async Task ReadResponseHead_NoLength_BodyEndsAtClose()
    {
        var (_, body, complete) = await ReadAsync("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw bytes");

        Assert.Equal("raw bytes", body);
        Assert.True(complete);
    }

    [Fact]
    public async Task ReadResponseHead_HeadRequest_HasNoBody()
    {
        var (head, body, _) = await ReadAsync("HTTP/1.1 200 OK\r\nApi-Version: 1.44\r\nContent-Length: 2\r\n\r\n", "HEAD");

        Assert.Equal("1.44", head.GetHeader("Api-Version"));
        Assert.Equal("", body);
    }

    [Fact]
    public async Task ReadResponseHead_TruncatedContentLength_Throws() =>
        await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));

    [Theory]
    [InlineData("HTTP/1.1 20")]
    [InlineData("HTTP/1.1 20x OK")]
    [InlineData("SSH-2.0-OpenSSH")]
    public void ParseStatusLine_Malformed_Throws(string line) =>
        Assert.Throws<HttpProtocolViolationException>(() => HttpReader.ParseStatusLine(line));

    [Fact]
    public void FormatHead_StreamBody_UsesChunkedAndHostBulwark()
    {
        var head = Encoding.Latin1.GetString(HttpRequestWriter.FormatHead(
            new HttpRequest("POST", "/v1.44/images/load?quiet=1") { StreamBody = Stream.Null, ContentType = "application/x-tar" }));

        Assert.StartsWith("POST /v1.44/images/load?quiet=1 HTTP/1.1\r\nHost: bulwark\r\n", head, StringComparison.Ordinal);
        Assert.Contains("Transfer-Encoding: chunked\r\n", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Content-Length", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteChunked_RoundTripsThroughChunkedReader()
    {
        var payload = new byte[200_000];
        new Random(7).NextBytes(payload);
        using var wire = new MemoryStream();
        await HttpRequestWriter.WriteChunkedAsync(wire, new MemoryStream(payload), CancellationToken.None);
        var prefix = Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        var connection = HttpConnection.FromStream(new MemoryStream([.. prefix, .. wire.ToArray()]));
        var head = await connection.Reader.ReadResponseHeadAsync(CancellationToken.None);
        using var ms = new MemoryStream();
        await connection.OpenBody("GET", head).CopyToAsync(ms);

        Assert.Equal(payload, ms.ToArray());
    }
}
