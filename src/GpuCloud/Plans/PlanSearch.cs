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

    /// <summary>
    /// Sorts by price, unpriced last, keeping the providers' order among equal prices. A stable sort of positions
    /// over prices taken once as doubles, not LINQ's OrderBy/ThenBy (a key array per level, for thousands of plans
    /// on the large object heap) nor a delegate reading a nullable decimal at every comparison (the profile's
    /// largest item in the facade's own code).
    /// </summary>
    internal static GpuPlan[] CheapestFirst(List<GpuPlan> plans)
    {
        var order = new int[plans.Count];
        var prices = new double[plans.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            prices[i] = plans[i].PricePerHour is { } price ? (double)price : double.PositiveInfinity;
        }
        order.AsSpan().Sort(new ByPrice(plans, prices));
        var sorted = new GpuPlan[order.Length];
        for (var i = 0; i < order.Length; i++) sorted[i] = plans[order[i]];
        return sorted;
    }

    private readonly struct ByPrice(List<GpuPlan> plans, double[] prices) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            var byPrice = prices[a].CompareTo(prices[b]);
            // Two decimals can round to one double: only then is the exact price consulted.
            if (byPrice == 0 && !double.IsPositiveInfinity(prices[a]))
                byPrice = plans[a].PricePerHour!.Value.CompareTo(plans[b].PricePerHour!.Value);
            return byPrice != 0 ? byPrice : a.CompareTo(b);
        }
    }

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
