namespace GpuCloud;

/// <summary>
/// Retry, timeout and circuit-breaker settings for every provider request, in the shape of
/// Microsoft.Extensions.Http.Resilience's standard handler. POST (creating instances, adding keys) is never
/// retried once it may have reached the provider.
/// </summary>
public sealed class GpuCloudResilienceOptions
{
    /// <summary>
    /// Whether requests go through the resilience pipeline at all. Default <see langword="true"/>. Without it there are no
    /// retries and no time limits on a request but the caller's <see cref="CancellationToken"/>.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Retries after the first attempt, for GET, HEAD, OPTIONS, PUT and DELETE. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; each further retry doubles it, with jitter. Default 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest <c>Retry-After</c> honoured; a provider asking for longer gets no retry, and the caller sees <c>RateLimited</c> with <c>RetryAfter</c>. Default 30 seconds.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The time limit of one attempt, reading the response body included. Default 30 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The time limit of a request including all its attempts and the back-off between them. Default 2 minutes.
    /// With <see cref="AttemptTimeout"/> the only time limits of a provider call: no <see cref="HttpClient.Timeout"/> cuts across them.
    /// </summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The share of failed requests, within <see cref="CircuitBreakerSamplingDuration"/>, that opens a provider host's circuit. Default 0.5.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest requests in the sampling window before the circuit may open. Default 10.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The window over which failures are counted. Default 30 seconds.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails requests at once before letting one through. Default 15 seconds.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        // The ranges Polly itself enforces, checked here so a bad value fails at start with its name, not on every request.
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1)) throw new ArgumentException($"Resilience.{name} must be positive and at most a day.", name);
        }
        static void Timeout(TimeSpan value, string name)
        {
            if (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(1)) throw new ArgumentException($"Resilience.{name} must be between 10 ms and a day.", name);
        }
        if (MaxRetries is < 0 or > 10) throw new ArgumentException("Resilience.MaxRetries must be between 0 and 10.", nameof(MaxRetries));
        Positive(RetryBaseDelay, nameof(RetryBaseDelay));
        if (MaxRetryAfter < TimeSpan.Zero) throw new ArgumentException("Resilience.MaxRetryAfter must not be negative.", nameof(MaxRetryAfter));
        Timeout(AttemptTimeout, nameof(AttemptTimeout));
        Timeout(TotalTimeout, nameof(TotalTimeout));
        if (MaxRetryAfter > TimeSpan.FromDays(1)) throw new ArgumentException("Resilience.MaxRetryAfter must be at most a day.", nameof(MaxRetryAfter));
        if (CircuitBreakerSamplingDuration > TimeSpan.FromDays(1)) throw new ArgumentException("Resilience.CircuitBreakerSamplingDuration must be at most a day.", nameof(CircuitBreakerSamplingDuration));
        if (CircuitBreakerBreakDuration > TimeSpan.FromDays(1)) throw new ArgumentException("Resilience.CircuitBreakerBreakDuration must be at most a day.", nameof(CircuitBreakerBreakDuration));
        if (CircuitBreakerFailureRatio is not (> 0 and <= 1)) throw new ArgumentException("Resilience.CircuitBreakerFailureRatio must be in (0, 1].", nameof(CircuitBreakerFailureRatio));
        if (CircuitBreakerMinimumThroughput < 2) throw new ArgumentException("Resilience.CircuitBreakerMinimumThroughput must be at least 2.", nameof(CircuitBreakerMinimumThroughput));
        if (CircuitBreakerSamplingDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentException("Resilience.CircuitBreakerSamplingDuration must be at least 0.5 s.", nameof(CircuitBreakerSamplingDuration));
        if (CircuitBreakerBreakDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentException("Resilience.CircuitBreakerBreakDuration must be at least 0.5 s.", nameof(CircuitBreakerBreakDuration));
    }
}
