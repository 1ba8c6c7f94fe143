namespace GpuCloud;

/// <summary>
/// Filters for <c>GpuCloudClient.ListPlansAsync</c>. Every filter is optional; <see langword="null"/> or empty
/// means "any". Filters are always applied on the client, whatever a provider does on the server.
/// </summary>
public sealed record PlanQuery
{
    /// <summary>Only these providers (by name, case-insensitive).</summary>
    public IReadOnlyList<string> Providers { get; init; } = [];

    /// <summary>Only these GPU models, as a user writes them: <c>H100</c>, <c>h100</c>, <c>H100-SXM</c>, <c>A100 80GB</c>, <c>RTX 4090</c>.</summary>
    public IReadOnlyList<string> GpuModels { get; init; } = [];

    /// <summary>At least this many GPUs.</summary>
    public int? MinGpuCount { get; init; }

    /// <summary>At least this much memory per GPU, in GiB.</summary>
    public double? MinGpuMemoryGiB { get; init; }

    /// <summary>At least this much GPU memory in total (all GPUs), in GiB.</summary>
    public double? MinTotalGpuMemoryGiB { get; init; }

    /// <summary>At least this many virtual CPUs.</summary>
    public int? MinVCpus { get; init; }

    /// <summary>At least this much RAM, in GiB.</summary>
    public double? MinMemoryGiB { get; init; }

    /// <summary>At least this much disk, in GiB.</summary>
    public double? MinStorageGiB { get; init; }

    /// <summary>At most this price per hour (plans without a price are excluded when set).</summary>
    public decimal? MaxPricePerHour { get; init; }

    /// <summary>Only plans that can run here: a country code (<c>US</c>), a data center or a region, matched case-insensitively.</summary>
    public string? Location { get; init; }

    /// <summary>Only this kind of workload.</summary>
    public WorkloadType? Workload { get; init; }

    /// <summary>Only this interconnect (<see cref="GpuInterconnect.NVLink"/> also accepts SXM, which is NVLink-connected).</summary>
    public GpuInterconnect? Interconnect { get; init; }

    /// <summary>Leave out plans the provider reports as unavailable.</summary>
    public bool OnlyAvailable { get; init; }

    /// <summary>Checks the values for mistakes, before any request is sent.</summary>
    /// <exception cref="GpuCloudException">A value is out of range (<see cref="GpuCloudErrorCode.InvalidRequest"/>, naming the field).</exception>
    public void Validate()
    {
        static void NonNegative(double? v, string field)
        {
            if (v is < 0 || v is double d && (double.IsNaN(d) || double.IsInfinity(d)))
                throw GpuCloudException.Invalid(field, "must be a finite number of 0 or more.");
        }
        NonNegative(MinGpuCount, nameof(MinGpuCount));
        NonNegative(MinGpuMemoryGiB, nameof(MinGpuMemoryGiB));
        NonNegative(MinTotalGpuMemoryGiB, nameof(MinTotalGpuMemoryGiB));
        NonNegative(MinVCpus, nameof(MinVCpus));
        NonNegative(MinMemoryGiB, nameof(MinMemoryGiB));
        NonNegative(MinStorageGiB, nameof(MinStorageGiB));
        if (MaxPricePerHour is < 0) throw GpuCloudException.Invalid(nameof(MaxPricePerHour), "must be 0 or more.");
        if (GpuModels.Any(string.IsNullOrWhiteSpace)) throw GpuCloudException.Invalid(nameof(GpuModels), "must not contain empty names.");
        if (Providers.Any(string.IsNullOrWhiteSpace)) throw GpuCloudException.Invalid(nameof(Providers), "must not contain empty names.");
    }

    /// <summary>Whether the query allows this provider.</summary>
    /// <param name="provider">A provider name.</param>
    public bool AllowsProvider(string provider)
    {
        // Called once per plan: a loop, because a lambda's closure would be allocated on every call.
        if (Providers.Count == 0) return true;
        foreach (var p in Providers)
            if (p.AsSpan().Trim().Equals(provider, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Whether a plan passes every filter.</summary>
    /// <param name="plan">The plan to test.</param>
    public bool Matches(GpuPlan plan) => Matches(plan, ParseGpuFilters());

    /// <summary>The GPU filters, parsed once per search rather than once per plan.</summary>
    internal GpuSpec[] ParseGpuFilters() => GpuModels.Select(GpuModelCatalog.ParseFilter).ToArray();

    internal bool Matches(GpuPlan plan, GpuSpec[] gpuFilters)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!AllowsProvider(plan.Provider)) return false;
        if (Workload is { } w && plan.Workload != w) return false;
        if (GpuModels.Count > 0 && !MatchesAny(plan.Gpu, gpuFilters)) return false;
        if (MinGpuCount is { } c && plan.Gpu.Count < c) return false;
        if (MinGpuMemoryGiB is { } gm && !(plan.Gpu.MemoryGiB >= gm)) return false;
        if (MinTotalGpuMemoryGiB is { } tm && !(plan.Gpu.TotalMemoryGiB >= tm)) return false;
        if (MinVCpus is { } v && !(plan.VCpus >= v)) return false;
        if (MinMemoryGiB is { } m && !(plan.MemoryGiB >= m)) return false;
        if (MinStorageGiB is { } s && !(plan.StorageGiB >= s)) return false;
        if (MaxPricePerHour is { } p && !(plan.PricePerHour <= p)) return false;
        if (Interconnect is { } i && plan.Gpu.Interconnect != i
            && !(i == GpuInterconnect.NVLink && plan.Gpu.Interconnect == GpuInterconnect.SXM)) return false;
        if (OnlyAvailable && plan.Availability == PlanAvailability.Unavailable) return false;
        if (!string.IsNullOrWhiteSpace(Location) && !IsAt(plan, Location)) return false;
        return true;
    }

    // Loops rather than lambdas in the per-plan path: a closure over the plan would be allocated for every plan.
    private static bool MatchesAny(GpuSpec gpu, GpuSpec[] filters)
    {
        foreach (var f in filters)
            if (GpuModelCatalog.Matches(gpu, f)) return true;
        return false;
    }

    private static bool IsAt(GpuPlan plan, string location)
    {
        foreach (var l in plan.Locations)
            if (LocationMatches(l, location)) return true;
        return plan.Region is { } region && LocationMatches(region, location);
    }

    // Spellings of one country, as codes and as data centers write them ("dulles-usa-1"); each matches the others.
    private static readonly string[][] Countries =
    [
        ["us", "usa"], ["gb", "uk", "gbr"], ["de", "deu"], ["fr", "fra"], ["nl", "nld"], ["ca", "can"],
        ["is", "isl"], ["no", "nor"], ["fi", "fin"], ["se", "swe"],
    ];

    private static readonly Dictionary<string, string[]> CountryAliases =
        Countries.SelectMany(group => group.Select(code => (code, group))).ToDictionary(p => p.code, p => p.group, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A location matches when it equals the query or one of its parts does (<c>us-central-3</c> matches
    /// <c>us</c> and <c>us-central-3</c>), counting three-letter country spellings (<c>dulles-usa-1</c> matches <c>US</c>).
    /// </summary>
    internal static bool LocationMatches(string location, string query)
    {
        if (string.IsNullOrWhiteSpace(location)) return false;
        query = query.Trim();
        if (location.Equals(query, StringComparison.OrdinalIgnoreCase)) return true;
        var parts = location.Split(['-', '_', ' ', '/', ','], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p.Equals(query, StringComparison.OrdinalIgnoreCase))) return true;
        return CountryAliases.TryGetValue(query, out var aliases)
            && parts.Any(p => aliases.Contains(p, StringComparer.OrdinalIgnoreCase));
    }
}
