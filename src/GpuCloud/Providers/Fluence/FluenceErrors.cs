using GpuCloud.Generated.Fluence;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Providers;

/// <summary>Fluence's error envelopes: <c>{"detail": "..."}</c>, <c>{"detail": [{loc, msg, ...}]}</c>, <c>{"error": "..."}</c>, <c>{"code", "error"}</c>.</summary>
internal static class FluenceErrors
{
    public const string Provider = "fluence";

    public static readonly ProviderErrors Errors = new(Translate, ex => (ex as FluenceApiException)?.StatusCode);

    /// <summary>Translates any failure of a generated-client call; <see langword="null"/> means "rethrow as is" (the caller's cancellation).</summary>
    private static GpuCloudException? Translate(Exception ex, TimeProvider time, CancellationToken ct)
    {
        if (ex is FluenceApiException api) return FromApi(api, time);
        return ErrorTranslation.FromTransport(Provider, ex, ct);
    }

    private static GpuCloudException FromApi(FluenceApiException api, TimeProvider time)
    {
        if (api.StatusCode is >= 200 and < 300)
            return ErrorTranslation.FromStatus(Provider, api.StatusCode, null, api.Headers, time, api, GpuCloudErrorCode.InvalidResponse);

        // With ReadResponseAsString off (the fast default) a declared error body arrives typed, not as text.
        var (message, field, errorCode) = api is FluenceApiException<ErrorResponse> { Result: { } typed }
            ? ParseEnvelope(Envelope(typed))
            : ParseBody(api.Response);
        var text = message ?? "";
        var code = errorCode is "insufficient_balance" ? GpuCloudErrorCode.InsufficientFunds
            : ErrorTranslation.CodeFromMessage(message)
            ?? (text.Contains("no longer available", StringComparison.OrdinalIgnoreCase)
                || text.Contains("not available", StringComparison.OrdinalIgnoreCase) && text.Contains("plan", StringComparison.OrdinalIgnoreCase)
                ? GpuCloudErrorCode.CapacityUnavailable
                : api.StatusCode == 403 && text.Contains("No such API Key", StringComparison.OrdinalIgnoreCase)
                ? GpuCloudErrorCode.Unauthorized
                : ErrorTranslation.CodeForStatus(api.StatusCode));
        return ErrorTranslation.FromStatus(Provider, api.StatusCode, message, api.Headers, time, api, code, field);
    }

    /// <summary>Reads the provider's message; the body may be any of the documented envelopes, or not JSON at all (a proxy's HTML page).</summary>
    internal static (string? Message, string? Field, string? Code) ParseBody(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null, null);
        JToken token;
        try { token = JToken.Parse(body); }
        catch (Newtonsoft.Json.JsonException) { return (null, null, null); }
        return token is JObject obj ? ParseEnvelope(obj) : (null, null, null);
    }

    private static JObject Envelope(ErrorResponse typed)
    {
        var envelope = new JObject();
        // Fields the spec does not declare (e.g. "message" from a gateway) arrive as additional properties.
        foreach (var (name, value) in typed.AdditionalProperties ?? new Dictionary<string, object>())
            envelope[name] = value is null ? null : JToken.FromObject(value);
        envelope["detail"] = typed.Detail is null ? null : JToken.FromObject(typed.Detail);
        envelope["error"] = typed.Error;
        envelope["code"] = typed.Code;
        return envelope;
    }

    /// <summary><c>["body","container_settings","expose",0,"port"]</c> becomes <c>container_settings.expose[0].port</c>.</summary>
    private static string FieldPath(JArray loc)
    {
        var path = new System.Text.StringBuilder();
        foreach (var part in loc)
        {
            if (part.Type == JTokenType.Integer) path.Append('[').Append(part.ToString()).Append(']');
            else if (path.Length == 0 && part.ToString() is "body" or "query" or "path") continue;
            else path.Append(path.Length == 0 ? "" : ".").Append(part.ToString());
        }
        return path.ToString();
    }

    private static (string? Message, string? Field, string? Code) ParseEnvelope(JObject obj)
    {
        var code = (obj["code"] as JValue)?.Value?.ToString();
        switch (obj["detail"])
        {
            case JValue { Value: string s }:
                return (s, null, code);
            case JArray items when items.Count > 0:
                var parts = new List<string>();
                string? firstField = null;
                foreach (var item in items.OfType<JObject>())
                {
                    var loc = item["loc"] is JArray l ? FieldPath(l) : null;
                    firstField ??= string.IsNullOrEmpty(loc) ? null : loc;
                    var msg = item["msg"]?.ToString();
                    parts.Add(string.IsNullOrEmpty(loc) ? msg ?? "" : $"{loc}: {msg}");
                }
                return (string.Join("; ", parts), firstField, code);
        }
        var error = (obj["error"] as JValue)?.Value?.ToString() ?? (obj["message"] as JValue)?.Value?.ToString();
        return (error, null, code);
    }
}
