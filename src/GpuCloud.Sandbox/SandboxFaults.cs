namespace GpuCloud.Sandbox;

/// <summary>What an injected fault does.</summary>
public enum FaultKind
{
    /// <summary>Waits <see cref="FaultRule.Delay"/> (on the sandbox clock) before the request is handled.</summary>
    Latency,

    /// <summary>
    /// Answers <see cref="FaultRule.StatusCode"/> (429, 500, 502, 503, 504, ...) with the provider's error envelope;
    /// 429 (and any status with <see cref="FaultRule.RetryAfter"/>) carries <c>Retry-After</c>.
    /// </summary>
    Status,

    /// <summary>Aborts the connection without a response (<c>HttpContext.Abort()</c>).</summary>
    DropConnection,

    /// <summary>Answers 200 <c>application/json</c> with a body that is not JSON.</summary>
    MalformedJson,

    /// <summary>Runs the request and sends its status with only the first half of its JSON body.</summary>
    TruncatedJson,

    /// <summary>Answers <see cref="FaultRule.StatusCode"/> (default 502) with a proxy's HTML error page.</summary>
    HtmlError,

    /// <summary>
    /// Runs the request and replaces every status value in its JSON (Fluence <c>instance_status</c>/<c>status</c>,
    /// Fluidstack <c>state</c>) with <see cref="FaultRule.Value"/> (default <c>HIBERNATING</c> for Fluence,
    /// <c>hibernating</c> for Fluidstack).
    /// </summary>
    UnknownEnum,

    /// <summary>Runs the request and writes its body in <see cref="FaultRule.ChunkSize"/>-byte chunks, <see cref="FaultRule.Delay"/> apart.</summary>
    SlowBody,

    /// <summary>
    /// Not an HTTP fault: the next matching create request succeeds, but the instance then ends in Fluence FAILED or
    /// Fluidstack <c>error</c> instead of ACTIVE/running.
    /// </summary>
    ProvisioningFailure,
}

/// <summary>
/// One fault-injection rule. It applies to requests whose path starts with <see cref="PathPrefix"/> and whose method is
/// <see cref="Method"/> (each when set), to each such request with <see cref="Probability"/> (drawn from the seeded
/// random source), and at most <see cref="Count"/> times. Control endpoints (<c>/_sandbox/*</c>) are never faulted.
/// </summary>
public sealed class FaultRule
{
    private int _remaining = -1;
    private int _fired;

    /// <summary>What the fault does.</summary>
    public FaultKind Kind { get; init; }

    /// <summary>Status for <see cref="FaultKind.Status"/> (required) and <see cref="FaultKind.HtmlError"/> (default 502).</summary>
    public int StatusCode { get; init; }

    /// <summary><c>Retry-After</c> to send (whole seconds). A 429 without one sends 1 second.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Only requests whose path starts with this (case-insensitive), e.g. <c>/gpu/instances</c> or <c>/fluidstack</c>.</summary>
    public string? PathPrefix { get; init; }

    /// <summary>Only requests with this HTTP method (case-insensitive), e.g. <c>POST</c>.</summary>
    public string? Method { get; init; }

    /// <summary>Fire on the next N matching requests only; null means every matching request.</summary>
    public int? Count { get; init; }

    /// <summary>Chance (0..1) that a matching request is faulted; drawn from a random source seeded by <see cref="SandboxOptions.Seed"/>.</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>Added latency (<see cref="FaultKind.Latency"/>) or the pause between chunks (<see cref="FaultKind.SlowBody"/>).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Chunk size in bytes for <see cref="FaultKind.SlowBody"/>. Default 16.</summary>
    public int ChunkSize { get; init; } = 16;

    /// <summary>
    /// For <see cref="FaultKind.Status"/>, <see cref="FaultKind.DropConnection"/>, <see cref="FaultKind.MalformedJson"/>
    /// and <see cref="FaultKind.HtmlError"/>: run the real request first (so a create really creates), then replace the
    /// response. Models a gateway that loses the answer of a request the provider processed.
    /// </summary>
    public bool AfterHandler { get; init; }

    /// <summary>Replacement status value for <see cref="FaultKind.UnknownEnum"/>; null picks the provider's default.</summary>
    public string? Value { get; init; }

    /// <summary>Id assigned by <see cref="SandboxFaults.Add"/> (0 until added).</summary>
    public int Id { get; internal set; }

    /// <summary>How many times the rule has fired.</summary>
    public int Fired => Volatile.Read(ref _fired);

    /// <summary>Remaining firings for a counted rule; null for an unlimited rule.</summary>
    public int? Remaining => Count is null ? null : Volatile.Read(ref _remaining);

    /// <summary>A rule answering <paramref name="statusCode"/> on matching requests.</summary>
    /// <param name="statusCode">The status to answer, e.g. 503.</param>
    /// <param name="pathPrefix">Only paths starting with this.</param>
    /// <param name="method">Only this method.</param>
    /// <param name="count">Only the next N matching requests.</param>
    /// <returns>The rule (not yet added).</returns>
    public static FaultRule Status(int statusCode, string? pathPrefix = null, string? method = null, int? count = null) =>
        new() { Kind = FaultKind.Status, StatusCode = statusCode, PathPrefix = pathPrefix, Method = method, Count = count };

    /// <summary>A rule of any other kind, scoped like <see cref="Status"/>.</summary>
    /// <param name="kind">What the fault does.</param>
    /// <param name="pathPrefix">Only paths starting with this.</param>
    /// <param name="method">Only this method.</param>
    /// <param name="count">Only the next N matching requests.</param>
    /// <returns>The rule (not yet added).</returns>
    public static FaultRule Of(FaultKind kind, string? pathPrefix = null, string? method = null, int? count = null) =>
        new() { Kind = kind, PathPrefix = pathPrefix, Method = method, Count = count };

    /// <summary>An unadded copy of this rule's settings.</summary>
    internal FaultRule Clone() => new()
    {
        Kind = Kind,
        StatusCode = StatusCode,
        RetryAfter = RetryAfter,
        PathPrefix = PathPrefix,
        Method = Method,
        Count = Count,
        Probability = Probability,
        Delay = Delay,
        ChunkSize = ChunkSize,
        AfterHandler = AfterHandler,
        Value = Value,
    };

    internal void Arm()
    {
        _remaining = Count ?? -1;
        _fired = 0;
    }

    internal bool Matches(string path, string method) =>
        (PathPrefix is null || path.StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase))
        && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase));

    /// <summary>Consumes one firing; false when a counted rule is used up. Called under the faults lock.</summary>
    internal bool TryConsume()
    {
        if (Count is not null)
        {
            if (_remaining <= 0) return false;
            _remaining--;
        }

        _fired++;
        return true;
    }

    internal bool Exhausted => Count is not null && _remaining <= 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Id} {Kind}{(StatusCode != 0 ? " " + StatusCode : "")} {Method ?? "*"} {PathPrefix ?? "/"} count={Count?.ToString() ?? "∞"} p={Probability}";
}

/// <summary>
/// The fault rules of a running sandbox. Thread-safe. Rules apply in the order they were added: every matching
/// <see cref="FaultKind.Latency"/> rule adds its delay, then the first matching response fault
/// (<see cref="FaultKind.Status"/>, <see cref="FaultKind.DropConnection"/>, <see cref="FaultKind.MalformedJson"/>,
/// <see cref="FaultKind.HtmlError"/>) replaces the response, and matching body faults
/// (<see cref="FaultKind.TruncatedJson"/>, <see cref="FaultKind.UnknownEnum"/>, <see cref="FaultKind.SlowBody"/>)
/// transform it. Also settable over HTTP: <c>POST /_sandbox/faults</c>, <c>GET /_sandbox/faults</c>,
/// <c>DELETE /_sandbox/faults</c>.
/// </summary>
public sealed class SandboxFaults
{
    private readonly object _gate = new();
    private readonly List<FaultRule> _rules = new();
    private readonly int _seed;
    private Random _random;
    private int _nextId = 1;

    internal SandboxFaults(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
    }

    /// <summary>The active rules, in order.</summary>
    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate) return _rules.ToArray();
        }
    }

    /// <summary>Adds a rule and returns it (with its <see cref="FaultRule.Id"/>).</summary>
    /// <param name="rule">The rule; a rule object can be added once.</param>
    /// <returns>The same rule.</returns>
    /// <exception cref="ArgumentException">The rule is inconsistent (e.g. a Status rule without a status code).</exception>
    public FaultRule Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Validate(rule);
        lock (_gate)
        {
            if (rule.Id != 0) throw new InvalidOperationException("This rule was already added; create a new one.");
            rule.Id = _nextId++;
            rule.Arm();
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Removes one rule.</summary>
    /// <param name="id">The rule's <see cref="FaultRule.Id"/>.</param>
    /// <returns>Whether the rule existed.</returns>
    public bool Remove(int id)
    {
        lock (_gate) return _rules.RemoveAll(r => r.Id == id) > 0;
    }

    /// <summary>Removes every rule and reseeds the random source.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _random = new Random(_seed);
        }
    }

    /// <summary>Finds the rules that fire for a request, consuming their counts and probability draws.</summary>
    internal List<FaultRule> Fire(string path, string method)
    {
        var fired = new List<FaultRule>();
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Kind == FaultKind.ProvisioningFailure || rule.Exhausted || !rule.Matches(path, method)) continue;
                if (rule.Probability < 1.0 && _random.NextDouble() >= rule.Probability) continue;
                if (rule.TryConsume()) fired.Add(rule);
            }
        }

        return fired;
    }

    /// <summary>Whether a create request at this path should end in a failed provisioning.</summary>
    internal bool TakeProvisioningFailure(string path, string method)
    {
        lock (_gate)
        {
            foreach (var rule in _rules)
            {
                if (rule.Kind != FaultKind.ProvisioningFailure || rule.Exhausted || !rule.Matches(path, method)) continue;
                if (rule.Probability < 1.0 && _random.NextDouble() >= rule.Probability) continue;
                if (rule.TryConsume()) return true;
            }
        }

        return false;
    }

    private static void Validate(FaultRule rule)
    {
        if (rule.Kind == FaultKind.Status && (rule.StatusCode < 400 || rule.StatusCode > 599))
            throw new ArgumentException("A Status fault needs a StatusCode between 400 and 599.", nameof(rule));
        if (rule.Kind == FaultKind.HtmlError && rule.StatusCode != 0 && (rule.StatusCode < 400 || rule.StatusCode > 599))
            throw new ArgumentException("An HtmlError fault's StatusCode must be between 400 and 599.", nameof(rule));
        if (rule.Probability is < 0 or > 1 || double.IsNaN(rule.Probability))
            throw new ArgumentException("Probability must be between 0 and 1.", nameof(rule));
        if (rule.Count is < 0) throw new ArgumentException("Count cannot be negative.", nameof(rule));
        if (rule.Delay < TimeSpan.Zero) throw new ArgumentException("Delay cannot be negative.", nameof(rule));
        if (rule.Kind == FaultKind.SlowBody && rule.ChunkSize <= 0)
            throw new ArgumentException("ChunkSize must be positive.", nameof(rule));
    }
}
