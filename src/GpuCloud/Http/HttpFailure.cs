using Polly.CircuitBreaker;

namespace GpuCloud;

/// <summary>What a failed provider call tells about its request, in terms that do not name the HTTP stack's libraries.</summary>
internal static class HttpFailure
{
    /// <summary>
    /// Whether the request was refused before it was sent (an open circuit), so its outcome is known: the provider
    /// never saw it. Any other failure may have happened after the provider received the request.
    /// </summary>
    public static bool WasNotSent(GpuCloudException ex) => ex.InnerException is BrokenCircuitException;
}
