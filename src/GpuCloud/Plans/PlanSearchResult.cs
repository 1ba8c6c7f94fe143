namespace GpuCloud;

/// <summary>
/// The plans found by a search, cheapest first (plans without a price last, ties in provider order), and
/// the providers (or provider regions) that could not be searched, so one outage never hides the rest.
/// </summary>
/// <param name="Plans">The matching plans, sorted by price per hour.</param>
/// <param name="Failures">What could not be searched, and why.</param>
public sealed record PlanSearchResult(IReadOnlyList<GpuPlan> Plans, IReadOnlyList<ProviderFailure> Failures)
{
    /// <summary>An empty result.</summary>
    public static PlanSearchResult Empty { get; } = new([], []);
}
