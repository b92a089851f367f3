using System.Globalization;
using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Exec;
using Bulwark.Client.Http;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    /// <summary><c>POST /containers/{id}/exec</c>: returns the exec ID.</summary>
    public async Task<string> ExecCreateAsync(string container, ExecCreateRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync($"/containers/{Escape(container)}/exec", cancellationToken).ConfigureAwait(false))
            {
                Body = JsonSerializer.SerializeToUtf8Bytes(request, DockerJsonContext.Default.ExecCreateRequest),
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        return (await ReadJsonAsync(response, DockerJsonContext.Default.IdResponse, cancellationToken).ConfigureAwait(false)).Id;
    }

    /// <summary><c>POST /exec/{id}/start</c> hijacked: the process's stdio as one duplex stream.</summary>
    public async Task<HijackedStream> ExecStartAttachedAsync(string execId, bool tty, IReadOnlyList<int>? consoleSize,
        CancellationToken cancellationToken)
    {
        var body = new ExecStartRequest { Tty = tty, ConsoleSize = consoleSize is null ? null : [.. consoleSize] };
        var target = await TargetAsync($"/exec/{Escape(execId)}/start", cancellationToken).ConfigureAwait(false);
        return await HijackAsync(new HttpRequest("POST", target)
        {
            Body = JsonSerializer.SerializeToUtf8Bytes(body, DockerJsonContext.Default.ExecStartRequest),
            ContentType = "application/json",
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /exec/{id}/start</c> with <c>Detach</c>: returns once the process runs.</summary>
    public async Task ExecStartDetachedAsync(string execId, CancellationToken cancellationToken)
    {
        using var response = await SendCheckedAsync(
            new HttpRequest("POST", await TargetAsync($"/exec/{Escape(execId)}/start", cancellationToken).ConfigureAwait(false))
            {
                Body = JsonSerializer.SerializeToUtf8Bytes(new ExecStartRequest { Detach = true }, DockerJsonContext.Default.ExecStartRequest),
                ContentType = "application/json",
            }, cancellationToken).ConfigureAwait(false);
        await DrainAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public Task<ExecInspectResponse> ExecInspectAsync(string execId, CancellationToken cancellationToken) =>
        GetJsonAsync($"/exec/{Escape(execId)}/json", DockerJsonContext.Default.ExecInspectResponse, cancellationToken);

    public Task<bool> ExecResizeAsync(string execId, int height, int width, CancellationToken cancellationToken) =>
        PostNoContentAsync($"/exec/{Escape(execId)}/resize" + new QueryBuilder()
            .Add("h", height.ToString(CultureInfo.InvariantCulture))
            .Add("w", width.ToString(CultureInfo.InvariantCulture)), cancellationToken);
}
