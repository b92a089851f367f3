using System.Text;
using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.System;
using Bulwark.Client.Http;
using static Bulwark.Client.Transport.DockerWire;

namespace Bulwark.Client;

public sealed partial class DockerClient
{
    public Task<SystemDfResponse> SystemDiskUsageAsync(CancellationToken cancellationToken) =>
        GetJsonAsync("/system/df", DockerJsonContext.Default.SystemDfResponse, cancellationToken);

    public async Task<IReadOnlyList<ImageHistoryItem>> ImageHistoryAsync(string name, CancellationToken cancellationToken) =>
        await GetJsonAsync($"/images/{EscapeName(name)}/history", DockerJsonContext.Default.ListImageHistoryItem, cancellationToken)
            .ConfigureAwait(false);

    public Task<PruneResponse> ImagePruneAsync(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, CancellationToken cancellationToken) =>
        PostJsonAsync("/images/prune" + new QueryBuilder().Add("filters", EncodeFilters(filters)), DockerJsonContext.Default.PruneResponse,
            cancellationToken);

    /// <summary>
    /// <c>GET /events</c>: each event goes to <paramref name="onEvent"/> as the daemon sends it (the raw document, so
    /// templates see every field); returns when the daemon ends the stream (at <paramref name="until"/>).
    /// </summary>
    public async Task EventsAsync(string? since, string? until, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters,
        Func<JsonElement, Task> onEvent, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder().Add("since", since).Add("until", until).Add("filters", EncodeFilters(filters));
        using var response = await SendCheckedAsync(
            new HttpRequest("GET", await TargetAsync("/events" + query, cancellationToken).ConfigureAwait(false)), cancellationToken)
            .ConfigureAwait(false);
        using var reader = new StreamReader(response.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            await onEvent(document.RootElement.Clone()).ConfigureAwait(false);
        }
    }
}
