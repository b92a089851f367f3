using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Streams;
using Bulwark.Client.Http;

namespace Bulwark.Client.Transport;

/// <summary>
/// What the API's bytes mean: error bodies, JSON bodies and JSON-message streams, filters, escaping, API versions.
/// Stateless; the client's endpoint methods use it through <c>using static</c>.
/// </summary>
internal static class DockerWire
{
    /// <summary>base64url("{}"): no credentials, as the docker CLI sends when it has none.</summary>
    internal const string AnonymousAuth = "e30=";

    internal static async Task StreamJsonMessagesAsync(DockerResponse response, Func<JsonMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(response.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var message = JsonSerializer.Deserialize(line, DockerJsonContext.Default.JsonMessage);
            if (message is null)
            {
                continue;
            }

            string? error = message.ErrorDetail is { Message.Length: > 0 } detail ? detail.Message : message.Error;
            if (!string.IsNullOrEmpty(error))
            {
                throw new DockerApiException(500, error);
            }

            await onMessage(message).ConfigureAwait(false);
        }
    }

    internal static int CompareVersions(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Max(pa.Length, pb.Length); i++)
        {
            var x = i < pa.Length && int.TryParse(pa[i], CultureInfo.InvariantCulture, out var vx) ? vx : 0;
            var y = i < pb.Length && int.TryParse(pb[i], CultureInfo.InvariantCulture, out var vy) ? vy : 0;
            if (x != y)
            {
                return x.CompareTo(y);
            }
        }

        return 0;
    }

    internal static string? EncodeFilters(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters)
    {
        if (filters is null || filters.Count == 0)
        {
            return null;
        }

        var map = new Dictionary<string, Dictionary<string, bool>>(StringComparer.Ordinal);
        foreach (var (key, values) in filters)
        {
            var inner = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var value in values)
            {
                inner[value] = true;
            }

            map[key] = inner;
        }

        return JsonSerializer.Serialize(map, DockerJsonContext.Default.DictionaryStringDictionaryStringBoolean);
    }

    /// <summary>Turns a non-2xx response into <see cref="DockerApiException"/> with the daemon's message.</summary>
    internal static async Task ThrowForStatusAsync(DockerResponse response, string target, CancellationToken cancellationToken)
    {
        var bytes = await response.ReadBodyAsync(cancellationToken).ConfigureAwait(false);
        throw new DockerApiException(response.StatusCode, ErrorMessage(response.Head, bytes, target));
    }

    internal static string ErrorMessage(HttpResponseHead head, byte[] body, string target)
    {
        var contentType = head.GetHeader("Content-Type") ?? "";
        if (body.Length > 0 && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var error = JsonSerializer.Deserialize(body, DockerJsonContext.Default.ErrorResponse);
                if (!string.IsNullOrEmpty(error?.Message))
                {
                    return error.Message;
                }
            }
            catch (JsonException)
            {
                // Fall through to the raw text.
            }
        }

        var text = Encoding.UTF8.GetString(body).Trim();
        return text.Length > 0
            ? text
            : $"request returned {head.StatusCode} {head.ReasonPhrase} for API route and version {target}, check if the server supports the requested API version";
    }

    internal static string Escape(string id) => Uri.EscapeDataString(id);

    /// <summary>Image references keep their slashes (<c>/images/library/busybox:1/json</c> as the Go client sends).</summary>
    internal static string EscapeName(string name) => Uri.EscapeDataString(name).Replace("%2F", "/", StringComparison.Ordinal);

    internal static async Task DrainAsync(DockerResponse response, CancellationToken cancellationToken) =>
        await response.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);

    internal static async Task<T> ReadJsonAsync<T>(DockerResponse response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var bytes = await response.ReadBodyAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(bytes, typeInfo)
            ?? throw new JsonException($"the daemon answered null where a {typeof(T).Name} was expected");
    }

    internal static async Task<WaitResponse> ReadWaitBodyAsync(DockerResponse response, CancellationToken cancellationToken)
    {
        using (response)
        {
            return await ReadJsonAsync(response, DockerJsonContext.Default.WaitResponse, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static async Task<IReadOnlyList<JsonMessage>> ReadJsonMessagesAsync(DockerResponse response, CancellationToken cancellationToken)
    {
        var messages = new List<JsonMessage>();
        await StreamJsonMessagesAsync(response, m =>
        {
            messages.Add(m);
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        return messages;
    }
}
