using System.Net;
using Newtonsoft.Json;

namespace GpuCloud;

/// <summary>
/// The HTTP-generic half of error translation: status codes, Retry-After, transport and parsing failures.
/// Each provider adds its own envelope parsing on top, and <see cref="CodeFromMessage"/>.
/// </summary>
internal static class ErrorTranslation
{
    private static readonly string[] OutOfStock = ["out of stock", "out-of-stock", "insufficient capacity", "no capacity"];
    private static readonly string[] NoFunds = ["insufficient funds", "insufficient balance"];

    public static GpuCloudErrorCode CodeForStatus(int status) => status switch
    {
        400 or 422 => GpuCloudErrorCode.InvalidRequest,
        401 => GpuCloudErrorCode.Unauthorized,
        402 => GpuCloudErrorCode.InsufficientFunds,
        403 => GpuCloudErrorCode.Forbidden,
        404 or 410 => GpuCloudErrorCode.NotFound,
        408 or 504 => GpuCloudErrorCode.Timeout,
        409 => GpuCloudErrorCode.Conflict,
        429 => GpuCloudErrorCode.RateLimited,
        501 => GpuCloudErrorCode.NotSupported,
        >= 500 => GpuCloudErrorCode.ProviderUnavailable,
        >= 200 and < 300 => GpuCloudErrorCode.InvalidResponse,
        _ => GpuCloudErrorCode.Unknown,
    };

    /// <summary>
    /// The code a provider's own message implies beyond its HTTP status: no funds, or no capacity for the plan;
    /// <see langword="null"/> when it says neither.
    /// </summary>
    public static GpuCloudErrorCode? CodeFromMessage(string? message) =>
        message is null ? null
        : SaysAny(message, NoFunds) ? GpuCloudErrorCode.InsufficientFunds
        : SaysAny(message, OutOfStock) ? GpuCloudErrorCode.CapacityUnavailable
        : null;

    private static bool SaysAny(string message, string[] phrases) =>
        phrases.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads <c>Retry-After</c> (see <see cref="RetryAfterHeader"/>), a date as a wait from now on <paramref name="time"/>.</summary>
    public static TimeSpan? RetryAfter(IReadOnlyDictionary<string, IEnumerable<string>>? headers, TimeProvider time) =>
        RetryAfterHeader.Read(headers, time);

    /// <summary>
    /// Translates failures that are not an HTTP error status: timeouts, connection errors, unreadable bodies.
    /// Returns <see langword="null"/> for the caller's own cancellation, which must propagate unchanged.
    /// </summary>
    public static GpuCloudException? FromTransport(string provider, Exception ex, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested) return null;
        return ex switch
        {
            GpuCloudException => null,
            OperationCanceledException or TimeoutException =>
                new GpuCloudException(GpuCloudErrorCode.Timeout, "the request timed out.", provider, ex),
            HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } =>
                new GpuCloudException(GpuCloudErrorCode.InvalidResponse, ex.Message, provider, ex),
            HttpRequestException http =>
                new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable, $"the request failed: {http.Message}", provider, ex)
                { StatusCode = http.StatusCode },
            JsonException =>
                new GpuCloudException(GpuCloudErrorCode.InvalidResponse, $"the response could not be read: {ex.Message}", provider, ex),
            IOException =>
                new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable, $"the connection failed: {ex.Message}", provider, ex),
            _ => null,
        };
    }

    /// <summary>
    /// Builds the exception for an HTTP error status, with the provider's own message when it sent one. A
    /// <c>Retry-After</c> date becomes a wait on <c>time</c>, the provider's clock (the one its resilience handler
    /// waits on), never the system's behind its back.
    /// </summary>
    public static GpuCloudException FromStatus(string provider, int status, string? providerMessage,
        IReadOnlyDictionary<string, IEnumerable<string>>? headers, TimeProvider time, Exception inner, GpuCloudErrorCode? code = null, string? field = null)
    {
        var resolved = code ?? CodeForStatus(status);
        // The code is shown beside the message (GpuCloudException.Code): the text says only what the provider answered,
        // so "NotFound: NotFound (HTTP 404)" cannot happen.
        var text = status is >= 200 and < 300
            ? $"the response (HTTP {status}) could not be read."
            : string.IsNullOrWhiteSpace(providerMessage) ? $"HTTP {status}, with no reason given." : $"HTTP {status}: {providerMessage}";
        return new GpuCloudException(resolved, text, provider, inner)
        {
            StatusCode = (HttpStatusCode)status,
            ProviderMessage = providerMessage,
            RetryAfter = RetryAfter(headers, time),
            Field = field,
        };
    }
}
