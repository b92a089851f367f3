using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api;

/// <summary>Reads a JSON request body with a size bound; malformed JSON is a 400 naming the problem; <c>null</c> members are absent (<see cref="NullMembers"/>).</summary>
internal static class RequestJson
{
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    public static async Task<T?> ReadAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo)
    {
        if (long.TryParse(ctx.Request.Header("Content-Length"), out long declared) && declared > MaxBodyBytes)
        {
            ctx.Response.CloseAfter = true;
            throw EngineException.Invalid($"request body larger than {MaxBodyBytes} bytes");
        }
        var body = new MemoryStream();
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(buf, ctx.Aborted).ConfigureAwait(false)) > 0)
        {
            body.Write(buf, 0, n);
            if (body.Length > MaxBodyBytes)
            {
                ctx.Response.CloseAfter = true;
                throw EngineException.Invalid($"request body larger than {MaxBodyBytes} bytes");
            }
        }
        if (body.Length == 0)
        {
            return default;
        }
        body.Position = 0;
        try
        {
            return NullMembers.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), typeInfo);
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid("invalid JSON in request body: " + ex.Message);
        }
        catch (ArgumentException ex)
        {
            // JsonObject refuses a member name given twice.
            throw EngineException.Invalid("invalid JSON in request body: " + ex.Message);
        }
    }
}
