using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace GpuCloud.Sandbox.Internal;

/// <summary>JSON in and out.</summary>
internal static class Wire
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Json(object? value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, Options, "application/json", status);

    public static IResult Empty(int status) => Results.StatusCode(status);

    /// <summary>Fluence's timestamp format: ISO 8601, microseconds, Z.</summary>
    public static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 with seconds, as the Fluidstack examples show.</summary>
    public static string FsTimestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads the body as JSON. Returns the node (JSON null gives a null node), or the parse error text.</summary>
    public static async Task<(JsonNode? Node, string? Error, bool Empty)> ReadJsonAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text)) return (null, "empty body", true);
        try
        {
            return (JsonNode.Parse(text), null, false);
        }
        catch (JsonException e)
        {
            return (null, e.Message, false);
        }
    }

    public static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool? AsBool(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    public static bool IsNull(JsonNode? node) => node is null;
}
