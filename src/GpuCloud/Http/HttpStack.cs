using Microsoft.Extensions.Logging;

namespace GpuCloud;

/// <summary>
/// The one way a provider's HTTP stack is put together: <see cref="GpuCloudResilienceHandler"/> over a primary
/// handler, the caller's (e.g. from <c>IHttpMessageHandlerFactory</c>, never disposed here) or a new pooled
/// <see cref="SocketsHttpHandler"/> (disposed with this stack). Providers add their authentication handlers on top
/// and send through <see cref="Client"/>.
/// </summary>
/// <remarks>
/// Time limits belong to the pipeline, on its <see cref="TimeProvider"/>: <see cref="GpuCloudResilienceOptions.AttemptTimeout"/>
/// per attempt, <see cref="GpuCloudResilienceOptions.TotalTimeout"/> per call with its retries. So no <see cref="HttpClient"/>
/// made here has a timeout of its own, which would run on the system clock and cut across both.
/// </remarks>
internal sealed class HttpStack : IDisposable
{
    private readonly bool _ownsPrimary;

    private HttpStack(GpuCloudResilienceHandler handler, bool ownsPrimary)
    {
        Handler = handler;
        _ownsPrimary = ownsPrimary;
    }

    /// <summary>The resilience handler, with the primary handler inside it.</summary>
    public HttpMessageHandler Handler { get; }

    /// <summary>Builds a provider's stack.</summary>
    /// <param name="provider">The provider's name, for logs and the pipeline's name.</param>
    /// <param name="resilience">Retries, timeouts and circuit breaking.</param>
    /// <param name="timeProvider">The clock of every delay and timeout.</param>
    /// <param name="logger">Where attempts are logged (<c>GpuCloud.Http.{provider}</c> by convention), or nowhere.</param>
    /// <param name="primary">The caller's innermost handler, which stays the caller's; <see langword="null"/> for a new one owned by the stack.</param>
    /// <exception cref="ArgumentException">A resilience setting is out of range.</exception>
    public static HttpStack Create(string provider, GpuCloudResilienceOptions resilience, TimeProvider timeProvider, ILogger? logger = null,
        HttpMessageHandler? primary = null)
    {
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var handler = new GpuCloudResilienceHandler(provider, resilience, timeProvider, logger) { InnerHandler = primary ?? NewPrimaryHandler() };
        return new HttpStack(handler, ownsPrimary: primary is null);
    }

    /// <summary>
    /// The primary handler used when the caller gives none: pooled connections are recycled so that a long-lived
    /// client sees DNS changes.
    /// </summary>
    public static SocketsHttpHandler NewPrimaryHandler() => new() { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };

    /// <summary>An <see cref="HttpClient"/> over <paramref name="handler"/> with no timeout of its own (see the remarks on <see cref="HttpStack"/>).</summary>
    public static HttpClient Client(HttpMessageHandler handler, bool disposeHandler) =>
        new(handler, disposeHandler) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Releases the primary handler if this stack made it; a caller's handler is left alone.</summary>
    public void Dispose()
    {
        // The resilience handler holds nothing itself; disposing it disposes its inner handler, so only when that is ours.
        if (_ownsPrimary) Handler.Dispose();
    }
}
