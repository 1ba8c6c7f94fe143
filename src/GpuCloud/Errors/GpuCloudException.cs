using System.Net;

namespace GpuCloud;

/// <summary>
/// The one exception type for every failure a caller can act on. <see cref="Code"/> says what happened
/// in a machine-readable form; <see cref="ProviderMessage"/> keeps what the provider said.
/// A caller's own cancellation is never wrapped: it stays an <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class GpuCloudException : Exception
{
    /// <summary>
    /// Creates an exception. <paramref name="message"/> must not contain secrets, nor the provider's name in front:
    /// <see cref="Exception.Message"/> is <c>"{provider}: {message}"</c>, or <paramref name="message"/> alone without a provider.
    /// </summary>
    /// <param name="code">What went wrong.</param>
    /// <param name="message">A human-readable description (<see cref="Detail"/>).</param>
    /// <param name="provider">The provider involved, if any (its <see cref="GpuCloud.Providers.IGpuCloudProvider.Name"/>).</param>
    /// <param name="innerException">The underlying cause.</param>
    public GpuCloudException(GpuCloudErrorCode code, string message, string? provider = null, Exception? innerException = null)
        : base(Shown(provider, message), innerException)
    {
        Code = code;
        Provider = provider;
        Detail = message;
    }

    /// <summary>What went wrong.</summary>
    public GpuCloudErrorCode Code { get; }

    /// <summary>The provider that reported the failure, or <see langword="null"/> for local failures.</summary>
    public string? Provider { get; }

    /// <summary>The message without <see cref="Provider"/> in front of it, for a display that shows the provider apart.</summary>
    public string Detail { get; }

    /// <summary>The HTTP status the provider answered with, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The provider's own message (from <c>error</c>, <c>message</c> or <c>detail</c>), when it sent one.</summary>
    public string? ProviderMessage { get; init; }

    /// <summary>The request field at fault, when known (e.g. <c>Name</c>, <c>container_settings.expose[0].port</c>).</summary>
    public string? Field { get; init; }

    /// <summary>How long the provider asked to wait before retrying (from <c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Each plan tried by <c>GpuCloudClient.CreateCheapestAsync</c>, in order, when this failure ends such a walk.</summary>
    public IReadOnlyList<PlanAttempt> Attempts { get; init; } = [];

    /// <summary>
    /// Whether the same call may succeed if repeated later unchanged: rate limits, provider outages,
    /// timeouts and missing capacity are transient; bad requests and authorization failures are not.
    /// </summary>
    public bool IsTransient => Code is GpuCloudErrorCode.RateLimited or GpuCloudErrorCode.ProviderUnavailable
        or GpuCloudErrorCode.Timeout or GpuCloudErrorCode.CapacityUnavailable;

    private static string Shown(string? provider, string detail) => provider is null ? detail : $"{provider}: {detail}";

    /// <summary>An <see cref="GpuCloudErrorCode.InvalidRequest"/> for a bad field, raised before any request is sent.</summary>
    internal static GpuCloudException Invalid(string field, string message, string? provider = null) =>
        new(GpuCloudErrorCode.InvalidRequest, $"{field}: {message}", provider) { Field = field };
}
