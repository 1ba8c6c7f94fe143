using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Creates the cheapest instance that becomes ready: walks the matching plans in price order, creates and waits for
/// each in turn, moves on only when a plan has no capacity, and deletes whatever it created that did not become ready
/// (also when the caller cancels). It deletes only what <see cref="CreateRecovery"/> returned as this walk's own.
/// </summary>
internal sealed class CheapestCreate(GpuCloudOptions options, PlanSearch search, CreateRecovery creates, InstanceWaiter waiter,
    Func<string, IGpuCloudProvider> providerNamed)
{
    public async Task<GpuInstance> CreateAsync(PlanQuery query, CreateInstanceRequest template, int? maxAttempts,
        IProgress<GpuInstance>? progress, CancellationToken cancellationToken)
    {
        var found = await search.SearchAsync(query, cancellationToken).ConfigureAwait(false);
        var candidates = found.Plans.Where(p => p.Availability != PlanAvailability.Unavailable).ToArray();
        var attempts = new List<PlanAttempt>();
        var limit = Math.Min(candidates.Length, maxAttempts ?? options.MaxCreateAttempts);

        for (var i = 0; i < limit; i++)
        {
            var plan = candidates[i];
            var provider = providerNamed(plan.Provider);
            GpuInstance? created = null;
            try
            {
                created = await creates.CreateAsync(provider, ForPlan(template, plan), cancellationToken).ConfigureAwait(false);
                return await waiter.WaitAsync(provider, created.Id, InstanceState.Running, options.ReadyTimeout, progress,
                    deleteOutOfStock: false, cancellationToken).ConfigureAwait(false);
            }
            catch (GpuCloudException ex)
            {
                var cleanup = created is null ? null : (await creates.DeleteCreatedAsync(provider, created.Id).ConfigureAwait(false)).Message;
                attempts.Add(new PlanAttempt(plan.Provider, plan.Id, plan.Name, ex.Code, cleanup is null ? ex.Message : $"{ex.Message} ({cleanup})"));
                if (ex.Code != GpuCloudErrorCode.CapacityUnavailable)
                    throw Summary(ex.Code, attempts, candidates.Length, found, ex);
            }
            catch (OperationCanceledException) when (created is not null)
            {
                var (deleted, cleanup) = await creates.DeleteCreatedAsync(provider, created.Id).ConfigureAwait(false);
                if (!deleted)
                    throw new OperationCanceledException($"Cancelled; {cleanup}.", null, cancellationToken);
                throw;
            }
        }
        throw Summary(GpuCloudErrorCode.CapacityUnavailable, attempts, candidates.Length, found, null);
    }

    /// <summary>
    /// One template serves plans of every workload: container settings go to container plans only, an OS image to
    /// plans that take one (the plan's first image when the template's is not offered), a location only where the
    /// plan runs there.
    /// </summary>
    internal static CreateInstanceRequest ForPlan(CreateInstanceRequest template, GpuPlan plan)
    {
        var request = template with { Plan = plan, Provider = null, PlanId = null };
        request = plan.Workload == WorkloadType.Container ? request with { OsImage = null } : request with { Container = null };
        if (plan.OsImages.Count > 0 && (request.OsImage is null || !plan.OsImages.Contains(request.OsImage, StringComparer.Ordinal)))
            request = request with { OsImage = plan.OsImages[0] };
        if (request.Location is { } location && !plan.Locations.Append(plan.Region ?? "").Any(l => PlanQuery.LocationMatches(l, location)))
            request = request with { Location = null };
        else if (request.Location is { } l && plan.Workload != WorkloadType.Container)
            request = request with { Location = plan.Region ?? (plan.Locations.Count == 1 ? plan.Locations[0] : l) };
        return request;
    }

    private static GpuCloudException Summary(GpuCloudErrorCode code, List<PlanAttempt> attempts, int total, PlanSearchResult search, Exception? inner)
    {
        var tried = attempts.Count == 0
            ? $"no plan matched ({total} candidates)"
            : $"tried {attempts.Count} of {total} plans: " + string.Join("; ", attempts.Select(a => $"{a.Provider} {a.PlanName}: {a.Code}"));
        var failures = search.Failures.Count == 0 ? "" : "; not searched: " + string.Join(", ", search.Failures.Select(f => $"{f.Provider}{(f.Region is null ? "" : "/" + f.Region)} ({f.Error.Code})"));
        // A walk that one provider's error stopped is that provider's failure; one that ran out of plans names none
        // (each attempt names its own).
        return new GpuCloudException(code, $"Could not create an instance: {tried}{failures}.", (inner as GpuCloudException)?.Provider, inner)
        {
            Attempts = attempts.ToArray(),
            StatusCode = (inner as GpuCloudException)?.StatusCode,
            ProviderMessage = (inner as GpuCloudException)?.ProviderMessage,
            Field = (inner as GpuCloudException)?.Field,
        };
    }
}
