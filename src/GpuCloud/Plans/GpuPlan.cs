namespace GpuCloud;

/// <summary>
/// Something a provider rents out: GPUs plus CPU, memory and disk at a price, normalized across providers.
/// Pass it (or its <see cref="Provider"/> and <see cref="Id"/>) to create an instance.
/// </summary>
public sealed record GpuPlan
{
    /// <summary>The provider's name (<c>fluence</c>, <c>fluidstack</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>An opaque id, unique within the provider; it round-trips into <c>CreateInstanceRequest.PlanId</c>.</summary>
    public required string Id { get; init; }

    /// <summary>A readable name for the plan.</summary>
    public required string Name { get; init; }

    /// <summary>How the GPUs are delivered.</summary>
    public required WorkloadType Workload { get; init; }

    /// <summary>The GPUs.</summary>
    public required GpuSpec Gpu { get; init; }

    /// <summary>Virtual CPUs, when known.</summary>
    public int? VCpus { get; init; }

    /// <summary>RAM in GiB, when known.</summary>
    public double? MemoryGiB { get; init; }

    /// <summary>Disk in GiB, when known.</summary>
    public double? StorageGiB { get; init; }

    /// <summary>The price per hour for the whole plan (all its GPUs), or <see langword="null"/> when the provider publishes none.</summary>
    public decimal? PricePerHour { get; init; }

    /// <summary>The currency of <see cref="PricePerHour"/> (<c>USDC</c> on Fluence, <c>USD</c> for a Fluidstack price list).</summary>
    public string? Currency { get; init; }

    /// <summary>
    /// Whether <see cref="PricePerHour"/> comes from this client's configuration (a price list the user gave, e.g.
    /// <c>FLUIDSTACK_PRICES</c>) rather than from the provider, which publishes none.
    /// </summary>
    public bool IsPriceConfigured { get; init; }

    /// <summary>Where the plan can run: country codes, data centers or regions, as the provider names them.</summary>
    public IReadOnlyList<string> Locations { get; init; } = [];

    /// <summary>The provider's region for region-scoped plans (Fluidstack), otherwise <see langword="null"/>.</summary>
    public string? Region { get; init; }

    /// <summary>Whether the provider reports capacity for the plan.</summary>
    public PlanAvailability Availability { get; init; }

    /// <summary>How many instances of the plan can be created now, when the provider says.</summary>
    public int? AvailableCount { get; init; }

    /// <summary>Operating-system images the plan accepts (VMs and bare metal); empty when any or none apply.</summary>
    public IReadOnlyList<string> OsImages { get; init; } = [];

    /// <summary>The provider's own name for what is rented (Fluence plan name, Fluidstack instance type).</summary>
    public string? ProviderPlanName { get; init; }

    /// <summary>The provider's own GPU name (e.g. <c>GH100_H100_SXM5_80GB</c>, <c>h200</c>).</summary>
    public string? ProviderGpuName { get; init; }

    /// <summary>The hardware provider behind a marketplace offer (Fluence VM and bare-metal options), when known.</summary>
    public string? Host { get; init; }
}
