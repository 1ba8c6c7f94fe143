using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Searches providers concurrently, filters by the query and orders cheapest first. A provider that fails is a
/// <see cref="ProviderFailure"/>, never the end of the others' plans.
/// </summary>
internal sealed class PlanSearch(IReadOnlyList<IGpuCloudProvider> providers)
{
    public async Task<PlanSearchResult> SearchAsync(PlanQuery query, CancellationToken cancellationToken)
    {
        query.Validate();
        var searched = providers.Where(p => query.AllowsProvider(p.Name)).ToArray();
        var results = await Task.WhenAll(searched.Select(p => SearchOneAsync(p, query, cancellationToken))).ConfigureAwait(false);

        var filters = query.ParseGpuFilters();
        var matching = new List<GpuPlan>(results.Sum(r => r.Plans.Count));
        foreach (var result in results)
            foreach (var plan in result.Plans)
                if (query.Matches(plan, filters)) matching.Add(plan);
        return new PlanSearchResult(CheapestFirst(matching), results.SelectMany(r => r.Failures).ToArray());
    }

    /// <summary>Cheapest first, unpriced last; OrderBy is stable, so equal prices keep the providers' order.</summary>
    internal static GpuPlan[] CheapestFirst(IEnumerable<GpuPlan> plans) =>
        plans.OrderBy(p => p.PricePerHour is null).ThenBy(p => p.PricePerHour).ToArray();

    private static async Task<PlanSearchResult> SearchOneAsync(IGpuCloudProvider provider, PlanQuery query, CancellationToken ct)
    {
        try
        {
            return await GpuCloudDiagnostics.RunAsync("ListPlans", provider.Name, () => provider.ListPlansAsync(query, ct)).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            var error = ex as GpuCloudException
                ?? new GpuCloudException(GpuCloudErrorCode.Unknown, ex.Message, provider.Name, ex);
            return new PlanSearchResult([], [new ProviderFailure(provider.Name, null, error)]);
        }
    }
}
