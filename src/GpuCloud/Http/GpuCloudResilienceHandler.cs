using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace GpuCloud;

/// <summary>
/// A <see cref="DelegatingHandler"/> over Microsoft.Extensions.Http.Resilience's <c>ResilienceHandler</c> and its
/// standard strategies: total timeout, retry with exponential backoff and jitter (honouring <c>Retry-After</c> up to
/// <see cref="GpuCloudResilienceOptions.MaxRetryAfter"/>), a circuit breaker per authority, and a per-attempt timeout.
/// Only idempotent methods are retried; a POST is retried only when the connection was never established.
/// Each response body is read inside its attempt, into a pooled buffer (at most 256 MiB), so timeouts, retries and
/// cancellation cover it. Every attempt is logged (method, path, status, duration, attempt; never headers or bodies).
/// An open circuit or a timeout surfaces as a <see cref="GpuCloudException"/> (<c>ProviderUnavailable</c>, <c>Timeout</c>)
/// whose inner exception is Polly's.
/// </summary>
/// <remarks>
/// The pipeline is built here rather than by <c>AddResilienceHandler</c> so that a client made without a container
/// (<c>new GpuCloudClient(options)</c>) has exactly the same one as a client from dependency injection.
/// </remarks>
internal sealed partial class GpuCloudResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<Call> CallKey = new("GpuCloud.Call");

    /// <summary>Marks a POST whose repetition is harmless (e.g. Fluence's delete-by-ids), so it is retried like a DELETE.</summary>
    internal static readonly HttpRequestOptionsKey<bool> RepeatableKey = new("GpuCloud.Repeatable");

    private readonly GpuCloudResilienceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _provider;
    // Holds nothing to release: its innermost handler calls back into this one, and pipelines built without a
    // registry own no resources, so it is not disposed with this handler.
    private readonly Pipeline _pipeline;
    // Per authority, the failure that last opened its circuit, to report in place of the bare "circuit open".
    private readonly ConcurrentDictionary<string, string> _openedBy = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The largest response body read (256 MiB); a larger one fails the call rather than exhaust memory.</summary>
    internal const long DefaultMaxBodyBytes = 256L * 1024 * 1024;

    /// <summary>The body size limit; tests lower it.</summary>
    internal long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Creates the handler.</summary>
    /// <param name="provider">The provider's name, for logs and the pipeline's name (<c>GpuCloud.{provider}</c>).</param>
    /// <param name="options">The retry, timeout and circuit-breaker settings.</param>
    /// <param name="timeProvider">The clock for delays and timeouts; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where attempts are logged; nothing by default.</param>
    public GpuCloudResilienceHandler(string provider, GpuCloudResilienceOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _provider = provider;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        // One breaker per authority (scheme, host and port): Fluidstack's regions fail independently.
        var byAuthority = new ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>>(StringComparer.OrdinalIgnoreCase);
        _pipeline = new Pipeline(request => byAuthority.GetOrAdd(request.RequestUri?.Authority ?? "", static (authority, self) => self.Build(authority), this))
        {
            InnerHandler = new Attempt(this),
        };
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_options.Enabled) return await SendAttemptAsync(request, 1, cancellationToken, cancellationToken).ConfigureAwait(false);

        // The library's handler takes the context it finds on the request: this one carries the attempt count.
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, new Call(cancellationToken));
        request.SetResilienceContext(context);
        try
        {
            return await _pipeline.RunAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            // The open circuit is a symptom: say first what opened it (e.g. "Name or service not known"), so a command
            // reads the same whether its call failed itself or was stopped because its neighbours had.
            var cause = _openedBy.TryGetValue(request.RequestUri?.Authority ?? "", out var why) ? why : $"too many recent failures at {request.RequestUri?.Host}";
            throw new GpuCloudException(GpuCloudErrorCode.ProviderUnavailable,
                $"{cause.TrimEnd('.')}; further requests to {request.RequestUri?.Host} are paused for a while (circuit open).", _provider, ex)
            { RetryAfter = ex.RetryAfter };
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GpuCloudException(GpuCloudErrorCode.Timeout,
                $"{request.Method} {request.RequestUri?.AbsolutePath} timed out after {ex.Timeout.TotalSeconds:0.#} s.", _provider, ex);
        }
        finally
        {
            request.SetResilienceContext(null);
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One attempt, called by the library's handler with the attempt's token.</summary>
    private Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, CancellationToken attemptToken)
    {
        var call = request.GetResilienceContext()?.Properties.GetValue(CallKey, null!);
        return call is null
            ? SendAttemptAsync(request, 1, attemptToken, attemptToken)
            : SendAttemptAsync(request, ++call.Attempts, attemptToken, call.Caller);
    }

    /// <param name="request">The request.</param>
    /// <param name="attempt">Which attempt this is, from 1.</param>
    /// <param name="ct">The attempt's token (cancelled by the caller or by a timeout).</param>
    /// <param name="caller">The caller's own token: only its cancellation goes unlogged.</param>
    private async Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, int attempt, CancellationToken ct, CancellationToken caller)
    {
        var started = _time.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, ct).ConfigureAwait(false);
            // Logged when the status is known (the duration is time to headers); a body that then fails is logged again.
            // Checked first because Uri.AbsolutePath builds a new string on every read.
            if (_logger.IsEnabled(LogLevel.Debug))
                LogAttempt(_logger, _provider, request.Method.Method, request.RequestUri?.AbsolutePath ?? "", (int)response.StatusCode,
                    _time.GetElapsedTime(started).TotalMilliseconds, attempt);
            // The generated clients read the body after this handler returns (synchronously, through Newtonsoft), where
            // no timeout, retry or caller token would reach a slow body. Reading it here puts it inside the attempt.
            if (response.Content.Headers.ContentLength == 0) return response;
            try
            {
                response.Content = await PooledBodyContent.ReadAsync(response.Content, MaxBodyBytes, ct).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            return response;
        }
        catch (Exception ex) when (!caller.IsCancellationRequested)
        {
            var error = ex is OperationCanceledException && ct.IsCancellationRequested ? "Timeout" : ex.GetType().Name;
            LogAttemptFailed(_logger, _provider, request.Method.Method, request.RequestUri?.AbsolutePath ?? "", error,
                _time.GetElapsedTime(started).TotalMilliseconds, attempt);
            throw;
        }
    }

    private ResiliencePipeline<HttpResponseMessage> Build(string authority)
    {
        // Named so that Polly's telemetry, when an application enables it, reports GpuCloud.{provider} per authority.
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time, Name = "GpuCloud." + _provider, InstanceName = authority };
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "GpuCloud.TotalTimeout", Timeout = _options.TotalTimeout });
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            Name = "GpuCloud.Retry",
            MaxRetryAttempts = Math.Max(_options.MaxRetries, 1),
            Delay = _options.RetryBaseDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            // The library's Retry-After reader dates an HTTP-date against the system clock, not this pipeline's.
            ShouldRetryAfterHeader = false,
            DelayGenerator = args => ValueTask.FromResult(RetryAfterHeader.Read(args.Outcome.Result, _time)),
            // No OnRetry disposal: Polly's retry disposes the answer it retries, before the delay (App-vNext/Polly,
            // src/Polly.Core/Retry/RetryResilienceStrategy.cs); ResilienceAttemptTests.ARetriedResponse_IsDisposed_BeforeTheRetry holds it.
            ShouldHandle = args => ValueTask.FromResult(_options.MaxRetries > 0 && ShouldRetry(args.Outcome, args.Context)),
        });
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            Name = "GpuCloud.CircuitBreaker",
            FailureRatio = _options.CircuitBreakerFailureRatio,
            MinimumThroughput = _options.CircuitBreakerMinimumThroughput,
            SamplingDuration = _options.CircuitBreakerSamplingDuration,
            BreakDuration = _options.CircuitBreakerBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                _openedBy[authority] = Cause(args.Outcome);
                return default;
            },
        });
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "GpuCloud.AttemptTimeout", Timeout = _options.AttemptTimeout });
        return builder.Build();
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
            return true; // the request never left this machine: safe for any method, POST included
        var request = context.GetRequestMessage();
        if (request is null) return false;
        var repeatable = IsIdempotent(request.Method) || request.Options.TryGetValue(RepeatableKey, out var marked) && marked;
        if (!repeatable || !IsTransient(outcome)) return false;
        return RetryAfterHeader.Read(outcome.Result, _time) is not { } wait || wait <= _options.MaxRetryAfter;
    }

    /// <summary>What every attempt of one call shares; the count is only touched by one attempt at a time.</summary>
    private sealed class Call(CancellationToken caller)
    {
        public CancellationToken Caller { get; } = caller;
        public int Attempts { get; set; }
    }

    /// <summary>The library's handler, with its send reachable from here.</summary>
#pragma warning disable EXTEXP0001 // ResilienceHandler is marked experimental; it is the library's documented way to use a pipeline without a container.
    private sealed class Pipeline(Func<HttpRequestMessage, ResiliencePipeline<HttpResponseMessage>> pipelines) : ResilienceHandler(pipelines)
#pragma warning restore EXTEXP0001
    {
        public Task<HttpResponseMessage> RunAsync(HttpRequestMessage request, CancellationToken cancellationToken) => SendAsync(request, cancellationToken);
    }

    /// <summary>The pipeline's innermost handler: each attempt goes on through this handler's own inner handler.</summary>
    private sealed class Attempt(GpuCloudResilienceHandler owner) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            owner.SendAttemptAsync(request, cancellationToken);
    }

    /// <summary>A failure in the words a person reads: the transport's message, or the status a server answered.</summary>
    private static string Cause(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        TimeoutRejectedException t => $"requests timed out after {t.Timeout.TotalSeconds:0.#} s",
        { } ex => ex.Message,
        null => outcome.Result is { } r ? $"the server answered HTTP {(int)r.StatusCode}" : "requests failed",
    };

    internal static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Put || method == HttpMethod.Delete;

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => outcome.Result is { } r && IsTransientStatus(r.StatusCode),
        // A body over the size limit will be over it again.
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => false,
        HttpRequestException or TimeoutRejectedException or IOException => true,
        _ => false,
    };

    // Narrower than the library's (every 5xx): a 501 or 505 is an answer, not a passing failure.
    internal static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "{Provider} {Method} {Path} answered {Status} in {DurationMs:0} ms (attempt {Attempt})")]
    private static partial void LogAttempt(ILogger logger, string provider, string method, string path, int status, double durationMs, int attempt);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Provider} {Method} {Path} failed with {Error} after {DurationMs:0} ms (attempt {Attempt})")]
    private static partial void LogAttemptFailed(ILogger logger, string provider, string method, string path, string error, double durationMs, int attempt);
}
