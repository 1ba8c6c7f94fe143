using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;
using Mgmt = GpuCloud.Generated.Fluidstack.Management;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Providers;

/// <summary>Fluidstack's error envelope, <c>{"message": "..."}</c>, from either API.</summary>
internal static class FluidstackErrors
{
    public const string Provider = "fluidstack";

    public static readonly ProviderErrors Errors = new(Translate, ex => ex switch
    {
        Mgmt.FluidstackManagementApiException m => m.StatusCode,
        Infra.FluidstackInfrastructureApiException i => i.StatusCode,
        _ => null,
    });

    private static GpuCloudException? Translate(Exception ex, TimeProvider time, CancellationToken ct) => ex switch
    {
        // With ReadResponseAsString off (the fast default) a declared error body arrives typed, not as text.
        Mgmt.FluidstackManagementApiException<Mgmt.Error> { Result: { } r } m => FromApi(m.StatusCode, r.Message, m.Headers, time, m),
        Infra.FluidstackInfrastructureApiException<Infra.Error> { Result: { } r } i => FromApi(i.StatusCode, r.Message, i.Headers, time, i),
        Mgmt.FluidstackManagementApiException m => FromApi(m.StatusCode, ParseMessage(m.Response), m.Headers, time, m),
        Infra.FluidstackInfrastructureApiException i => FromApi(i.StatusCode, ParseMessage(i.Response), i.Headers, time, i),
        _ => ErrorTranslation.FromTransport(Provider, ex, ct),
    };

    private static GpuCloudException FromApi(int status, string? message, IReadOnlyDictionary<string, IEnumerable<string>> headers, TimeProvider time, Exception inner)
    {
        if (status is >= 200 and < 300)
            return ErrorTranslation.FromStatus(Provider, status, null, headers, time, inner, GpuCloudErrorCode.InvalidResponse);
        return ErrorTranslation.FromStatus(Provider, status, message, headers, time, inner, ErrorTranslation.CodeFromMessage(message) ?? ErrorTranslation.CodeForStatus(status));
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
