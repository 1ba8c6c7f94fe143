namespace GpuCloud;

/// <summary>A rented machine or container, normalized across providers.</summary>
public sealed record GpuInstance
{
    /// <summary>The provider's name.</summary>
    public required string Provider { get; init; }

    /// <summary>An opaque id, unique within the provider; pass it back with <see cref="Provider"/> to get, wait for or delete the instance.</summary>
    public required string Id { get; init; }

    /// <summary>The instance's name.</summary>
    public required string Name { get; init; }

    /// <summary>The normalized state.</summary>
    public required InstanceState State { get; init; }

    /// <summary>The provider's own state value (e.g. <c>ACTIVE</c>, <c>out-of-stock</c>), kept even when unknown to this library.</summary>
    public required string ProviderState { get; init; }

    /// <summary>Why the instance failed, when <see cref="State"/> is <see cref="InstanceState.Failed"/> and the provider says (e.g. <see cref="GpuCloudErrorCode.CapacityUnavailable"/> for Fluidstack <c>out-of-stock</c>).</summary>
    public GpuCloudErrorCode? FailureReason { get; init; }

    /// <summary>How the GPUs are delivered.</summary>
    public required WorkloadType Workload { get; init; }

    /// <summary>The GPUs, when the provider says.</summary>
    public GpuSpec? Gpu { get; init; }

    /// <summary>The provider's plan or instance type name, when known.</summary>
    public string? PlanName { get; init; }

    /// <summary>Where it runs: a country code or data center, as the provider names it.</summary>
    public string? Location { get; init; }

    /// <summary>The provider's region for region-scoped instances (Fluidstack).</summary>
    public string? Region { get; init; }

    /// <summary>The public host name or address, when assigned.</summary>
    public string? PublicAddress { get; init; }

    /// <summary>The private IP address, when the provider reports one.</summary>
    public string? PrivateIp { get; init; }

    /// <summary>How to log in, when known.</summary>
    public SshEndpoint? Ssh { get; init; }

    /// <summary>
    /// What the readiness probe found at <see cref="Ssh"/>, on the instance a wait for <see cref="InstanceState.Running"/>
    /// returned (see <see cref="GpuCloudOptions.ReadinessProbe"/>); null elsewhere and when no probe ran.
    /// </summary>
    public SshProbeResult? Reachability { get; init; }

    /// <summary>Ports forwarded from the public address into the instance (Fluence containers).</summary>
    public IReadOnlyList<ForwardedPort> ForwardedPorts { get; init; } = [];

    /// <summary>The current cost per hour, when the provider reports it.</summary>
    public decimal? PricePerHour { get; init; }

    /// <summary>The currency of <see cref="PricePerHour"/>.</summary>
    public string? Currency { get; init; }

    /// <summary>When the instance was created, when the provider says.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Key-value tags (Fluidstack).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// Whether GpuCloud created it: by this client's journal (<see cref="GpuCloudOptions.Journal"/>) or the provider's marks
    /// (Fluidstack tags). <see langword="null"/> when neither can tell (no journal, no marks).
    /// </summary>
    public bool? CreatedByGpuCloud { get; init; }

    /// <summary>
    /// Who created it through GpuCloud (their <see cref="GpuCloudOptions.Owner"/>, <c>user@host</c> by default), from the
    /// journal (a shared one knows every machine's creates) or the provider's marks; <see langword="null"/> when not known.
    /// </summary>
    public string? CreatedBy { get; init; }

    /// <summary>How long it has existed at <paramref name="now"/>, when the provider says when it was created.</summary>
    /// <param name="now">The current time.</param>
    public TimeSpan? AgeAt(DateTimeOffset now) => CreatedAt is { } created ? (now > created ? now - created : TimeSpan.Zero) : null;

    /// <summary>An estimate of what it has cost by <paramref name="now"/>: its price per hour times its age, when both are known.</summary>
    /// <param name="now">The current time.</param>
    public decimal? CostSoFarAt(DateTimeOffset now) =>
        PricePerHour is { } price && AgeAt(now) is { } age ? Math.Round(price * (decimal)age.TotalHours, 2, MidpointRounding.AwayFromZero) : null;

    /// <summary>
    /// Running with an address: the provider says it runs and there is an SSH endpoint. An instance can be running
    /// before its address is assigned, and its address can exist before SSH answers there; waiting for
    /// <see cref="InstanceState.Running"/> waits for this and then, unless <see cref="GpuCloudOptions.ReadinessProbe"/>
    /// is <see cref="ReadinessProbe.None"/>, for the endpoint to answer (see <see cref="Reachability"/>).
    /// </summary>
    public bool IsReady => State == InstanceState.Running && Ssh is not null;
}
