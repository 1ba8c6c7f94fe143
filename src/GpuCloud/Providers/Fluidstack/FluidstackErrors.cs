using GpuCloud;
using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;
using Mgmt = GpuCloud.Generated.Fluidstack.Management;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Providers;

/// <summary>Fluidstack's error envelope, <c>{"message": "..."}</c>, from either API.</summary>
internal static class FluidstackErrors
{
    public const string Provider = "fluidstack";

    public static GpuCloudException? Translate(Exception ex, CancellationToken ct) => ex switch
    {
        // With ReadResponseAsString off (the fast default) a declared error body arrives typed, not as text.
        Mgmt.FluidstackManagementApiException<Mgmt.Error> { Result: { } r } m => FromApi(m.StatusCode, r.Message, m.Headers, m),
        Infra.FluidstackInfrastructureApiException<Infra.Error> { Result: { } r } i => FromApi(i.StatusCode, r.Message, i.Headers, i),
        Mgmt.FluidstackManagementApiException m => FromApi(m.StatusCode, ParseMessage(m.Response), m.Headers, m),
        Infra.FluidstackInfrastructureApiException i => FromApi(i.StatusCode, ParseMessage(i.Response), i.Headers, i),
        _ => ErrorTranslation.FromTransport(Provider, ex, ct),
    };

    private static GpuCloudException FromApi(int status, string? message, IReadOnlyDictionary<string, IEnumerable<string>> headers, Exception inner)
    {
        if (status is >= 200 and < 300)
            return ErrorTranslation.FromStatus(Provider, status, null, headers, inner, GpuCloudErrorCode.InvalidResponse);
        var code = ErrorTranslation.CodeForStatus(status);
        if (message is not null && (message.Contains("out of stock", StringComparison.OrdinalIgnoreCase)
            || message.Contains("out-of-stock", StringComparison.OrdinalIgnoreCase)
            || message.Contains("insufficient capacity", StringComparison.OrdinalIgnoreCase)
            || message.Contains("no capacity", StringComparison.OrdinalIgnoreCase)))
            code = GpuCloudErrorCode.CapacityUnavailable;
        else if (message is not null && (message.Contains("insufficient funds", StringComparison.OrdinalIgnoreCase)
            || message.Contains("insufficient balance", StringComparison.OrdinalIgnoreCase)))
            code = GpuCloudErrorCode.InsufficientFunds;
        return ErrorTranslation.FromStatus(Provider, status, message, headers, inner, code);
    }

    internal static string? ParseMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JToken.Parse(body) is JObject o
                ? ((o["message"] ?? o["error"] ?? o["detail"]) as JValue)?.Value?.ToString()
                : null;
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return null;
        }
    }
}
