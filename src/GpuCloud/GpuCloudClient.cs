using GpuCloud;
using GpuCloud.Providers;
using Microsoft.Extensions.Logging;

namespace GpuCloud;

/// <summary>
/// One client over any set of GPU clouds: search plans across all of them, create the cheapest that has
/// capacity, wait for it, and release it, with every failure as a <see cref="GpuCloudException"/>.
/// </summary>
/// <example>
/// <code>
/// using var cloud = new GpuCloudClient(new GpuCloudOptions { Fluence = { ApiKey = "..." } });
/// var found = await cloud.ListPlansAsync(new PlanQuery { GpuModels = ["H100"] });
/// </code>
/// </example>
public sealed class GpuCloudClient : IDisposable
{
    private readonly IReadOnlyList<IGpuCloudProvider> _providers;
    private readonly GpuCloudOptions _options;
    private readonly TimeProvider _time;
    private readonly CreateRecovery _creates;
    private readonly List<IDisposable> _owned = [];

    /// <summary>
    /// Creates a client for the providers configured in <paramref name="options"/>. A provider without
    /// credentials is left out, with the reason in <see cref="DisabledProviders"/>.
    /// </summary>
    /// <param name="options">Credentials and settings.</param>
    /// <exception cref="ArgumentException">A setting is invalid (e.g. a non-HTTPS base URL).</exception>
    public GpuCloudClient(GpuCloudOptions options)
        : this(options, TimeProvider.System, null, primaryHandler: null)
    {
    }

    /// <summary>Creates a client for the providers configured in <paramref name="options"/>, logging to <paramref name="loggerFactory"/>.</summary>
    /// <param name="options">Credentials and settings.</param>
    /// <param name="loggerFactory">Where HTTP attempts are logged (never with secrets).</param>
    /// <param name="timeProvider">The clock for waits, retries and token expiry; <see cref="TimeProvider.System"/> by default.</param>
    public GpuCloudClient(GpuCloudOptions options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider = null)
        : this(options, timeProvider ?? TimeProvider.System, loggerFactory, primaryHandler: null)
    {
    }

    /// <summary>The composition used by <see cref="GpuCloudClient(GpuCloudOptions)"/> and by dependency injection.</summary>
    /// <param name="options">Credentials and settings.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="loggerFactory">Loggers, or none.</param>
    /// <param name="primaryHandler">
    /// Gives the innermost handler for a provider (e.g. from <c>IHttpMessageHandlerFactory</c>; not disposed here),
    /// or <see langword="null"/> to create a <see cref="SocketsHttpHandler"/> per provider (disposed with the client).
    /// </param>
    internal GpuCloudClient(GpuCloudOptions options, TimeProvider timeProvider, ILoggerFactory? loggerFactory, Func<string, HttpMessageHandler>? primaryHandler)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider;
        _creates = new CreateRecovery(options, timeProvider);
        var providers = new List<IGpuCloudProvider>();
        var disabled = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        HttpMessageHandler Pipeline(string provider)
        {
            var logger = loggerFactory?.CreateLogger("GpuCloud.Http." + provider);
            var primary = primaryHandler?.Invoke(provider);
            if (primary is null)
            {
                primary = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
                _owned.Add(primary);
            }
            var resilience = new GpuCloudResilienceHandler(provider, options.Resilience, timeProvider, logger) { InnerHandler = primary };
            // Disposing a DelegatingHandler disposes its inner handler, so only one over a handler we own is disposed.
            if (primaryHandler is null) _owned.Add(resilience);
            return resilience;
        }

        if (options.Fluence.IsConfigured)
        {
            var fluence = new FluenceProvider(options.Fluence, Pipeline(FluenceProvider.ProviderName), loggerFactory?.CreateLogger("GpuCloud.Providers." + FluenceProvider.ProviderName));
            _owned.Add(fluence);
            providers.Add(fluence);
        }
        else disabled[FluenceProvider.ProviderName] = "no API key (set FLUENCE_API_KEY or GpuCloud:Fluence:ApiKey)";
        if (options.Fluidstack.IsConfigured)
        {
            var fluidstack = new FluidstackProvider(options.Fluidstack, Pipeline(FluidstackProvider.ProviderName), timeProvider,
                loggerFactory?.CreateLogger("GpuCloud.Providers." + FluidstackProvider.ProviderName));
            _owned.Add(fluidstack);
            providers.Add(fluidstack);
        }
        else disabled[FluidstackProvider.ProviderName] = "no token or client credentials (set FLUIDSTACK_TOKEN, or FLUIDSTACK_CLIENT_ID and FLUIDSTACK_CLIENT_SECRET)";
        _providers = providers;
        DisabledProviders = disabled;
    }

    /// <summary>Creates a client over the given providers (e.g. ones built with your own <see cref="HttpClient"/>s).</summary>
    /// <param name="providers">The providers; names must be unique.</param>
    /// <param name="options">Waiting and failover settings; the provider sections are not used.</param>
    /// <param name="timeProvider">The clock for waits and polling; <see cref="TimeProvider.System"/> by default.</param>
    public GpuCloudClient(IEnumerable<IGpuCloudProvider> providers, GpuCloudOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(providers);
        _providers = providers.ToArray();
        var duplicate = _providers.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two providers are named '{duplicate.Key}'.", nameof(providers));
        _options = options ?? new GpuCloudOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _creates = new CreateRecovery(_options, _time);
        DisabledProviders = new Dictionary<string, string>();
    }

    /// <summary>The providers in use.</summary>
    public IReadOnlyList<IGpuCloudProvider> Providers => _providers;

    /// <summary>Providers left out for lack of configuration, with the reason.</summary>
    public IReadOnlyDictionary<string, string> DisabledProviders { get; }

    /// <summary>
    /// Searches every provider the query allows, concurrently. Plans come back cheapest first (unknown
    /// prices last, ties in provider order); a provider that fails is listed in
    /// <see cref="PlanSearchResult.Failures"/> and never hides the others' plans.
    /// </summary>
    /// <param name="query">Filters; <see langword="null"/> lists everything.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="GpuCloudException">The query is invalid (<see cref="GpuCloudErrorCode.InvalidRequest"/>).</exception>
    public Task<PlanSearchResult> ListPlansAsync(PlanQuery? query = null, CancellationToken cancellationToken = default) =>
        GpuCloudDiagnostics.RunAsync("ListPlans", null, () => SearchAsync(query ?? new PlanQuery(), cancellationToken));

    private async Task<PlanSearchResult> SearchAsync(PlanQuery query, CancellationToken cancellationToken)
    {
        query.Validate();
        var searched = _providers.Where(p => query.AllowsProvider(p.Name)).ToArray();
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
    private static GpuPlan[] CheapestFirst(List<GpuPlan> plans)
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
                ?? new GpuCloudException(GpuCloudErrorCode.Unknown, $"{provider.Name}: {ex.Message}", provider.Name, ex);
            return new PlanSearchResult([], [new ProviderFailure(provider.Name, null, error)]);
        }
    }

    /// <summary>
    /// Lists instances on every provider, or on one; each says whether GpuCloud created it (<see cref="GpuInstance.CreatedByGpuCloud"/>,
    /// from the journal and the providers' marks).
    /// </summary>
    /// <param name="provider">Only this provider; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(string? provider = null, CancellationToken cancellationToken = default)
    {
        var targets = provider is null ? _providers : [GetProvider(provider)];
        var lists = await Task.WhenAll(targets.Select(p =>
            GpuCloudDiagnostics.RunAsync("ListInstances", p.Name, () => p.ListInstancesAsync(cancellationToken)))).ConfigureAwait(false);
        var journaled = _options.Journal is { } journal
            ? (await journal.ListOpenAsync(cancellationToken).ConfigureAwait(false))
                .Where(e => e.Outcome?.InstanceId is not null).Select(e => (e.Intent.Provider, e.Outcome!.InstanceId!)).ToHashSet()
            : null;
        return targets.Zip(lists).SelectMany(pair => pair.Second.Select(i => i with
        {
            CreatedByGpuCloud = (pair.First as ICreateSupport)?.MarksOf(i) is not null || journaled?.Contains((i.Provider, i.Id)) == true
                ? true
                : journaled is null ? null : false,
        })).ToArray();
    }

    /// <summary>Gets one instance.</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<GpuInstance> GetInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default)
    {
        var p = GetProvider(provider);
        RequireId(instanceId);
        return GpuCloudDiagnostics.RunAsync("GetInstance", p.Name, () => p.GetInstanceAsync(instanceId, cancellationToken));
    }

    /// <summary>
    /// Validates and creates an instance, returning as soon as the provider accepted it; see <see cref="WaitForStateAsync"/>.
    /// The create is sent once. When its answer is lost (a timeout, a broken connection, a server error after sending),
    /// the instance it made is looked for and returned, but only one this call provably made: an instance that existed
    /// before the call, even with the same name, is never returned, waited on or deleted. When nothing is proved, the
    /// transport's error is thrown with a message saying the instance may exist, and under which name.
    /// </summary>
    /// <param name="request">What to create.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="GpuCloudException">The request is invalid (<see cref="GpuCloudErrorCode.InvalidRequest"/>, nothing sent), or the provider refused it.</exception>
    public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var provider = request.TargetProvider
            ?? throw GpuCloudException.Invalid(nameof(CreateInstanceRequest.Plan), "give a Plan, or a Provider and a PlanId.");
        if (request.TargetPlanId is null) throw GpuCloudException.Invalid(nameof(CreateInstanceRequest.PlanId), "give a Plan, or a Provider and a PlanId.");
        var p = GetProvider(provider);
        return GpuCloudDiagnostics.RunAsync("CreateInstance", p.Name, () => _creates.CreateAsync(p, request, cancellationToken));
    }

    /// <summary>
    /// Lists what this client created that needs attention: expired, left behind by a process that is gone, made by a
    /// create whose outcome was unknown, or marked on the provider as this owner's but absent from the journal. Ownership
    /// comes from the journal (<see cref="GpuCloudOptions.Journal"/>) and the providers' marks, never from a name alone;
    /// instances this client did not create are never listed. Entries whose instance is listed as gone are closed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="GpuCloudException"><see cref="GpuCloudErrorCode.JournalUnavailable"/> when the journal cannot be read.</exception>
    public Task<OwnedSearchResult> ListOwnedAsync(CancellationToken cancellationToken = default) =>
        GpuCloudDiagnostics.RunAsync("ListOwned", null, () => new OwnedInstances(_options, _time).FindAsync(_providers, cancellationToken));

    /// <summary>Deletes an instance; one that is already gone counts as deleted.</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default)
    {
        var p = GetProvider(provider);
        RequireId(instanceId);
        return GpuCloudDiagnostics.RunAsync("DeleteInstance", p.Name, () => p.DeleteInstanceAsync(instanceId, cancellationToken));
    }

    /// <summary>Starts a stopped instance (Fluidstack).</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task StartInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default)
    {
        var p = GetProvider(provider);
        RequireId(instanceId);
        return GpuCloudDiagnostics.RunAsync("StartInstance", p.Name, () => p.StartInstanceAsync(instanceId, cancellationToken));
    }

    /// <summary>Stops a running instance (Fluidstack).</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task StopInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default)
    {
        var p = GetProvider(provider);
        RequireId(instanceId);
        return GpuCloudDiagnostics.RunAsync("StopInstance", p.Name, () => p.StopInstanceAsync(instanceId, cancellationToken));
    }

    /// <summary>
    /// Polls an instance until it reaches <paramref name="target"/>. <see cref="InstanceState.Running"/> means ready:
    /// running and reachable (<see cref="GpuInstance.IsReady"/>). <see cref="InstanceState.Terminated"/> is also
    /// reached when the instance no longer exists. An instance that fails instead ends the wait with an exception;
    /// one that ran out of capacity (Fluidstack <c>out-of-stock</c>) is deleted first and reported as
    /// <see cref="GpuCloudErrorCode.CapacityUnavailable"/>.
    /// </summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="target">The state to wait for.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="progress">Receives the instance after every poll.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="GpuCloudException"><see cref="GpuCloudErrorCode.Timeout"/> when the time is up; otherwise why the instance cannot reach the state.</exception>
    public Task<GpuInstance> WaitForStateAsync(string provider, string instanceId, InstanceState target, TimeSpan timeout,
        IProgress<GpuInstance>? progress = null, CancellationToken cancellationToken = default)
    {
        var p = GetProvider(provider);
        RequireId(instanceId);
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout must be positive.");
        if (target == InstanceState.Unknown) throw new ArgumentOutOfRangeException(nameof(target), "Cannot wait for the Unknown state.");
        return GpuCloudDiagnostics.RunAsync("WaitForState", p.Name, () => WaitCoreAsync(p, instanceId, target, timeout, progress, cancellationToken));
    }

    private async Task<GpuInstance> WaitCoreAsync(IGpuCloudProvider p, string instanceId, InstanceState target, TimeSpan timeout,
        IProgress<GpuInstance>? progress, CancellationToken cancellationToken)
    {

        var deadline = _time.GetUtcNow() + timeout;
        GpuInstance? last = null;
        while (true)
        {
            GpuInstance current;
            try
            {
                current = await p.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
            }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound && target == InstanceState.Terminated)
            {
                current = (last ?? Gone(p.Name, instanceId)) with { State = InstanceState.Terminated, ProviderState = "not-found" };
            }
            last = current;
            progress?.Report(current);

            if (target == InstanceState.Running && current.IsReady && Probe.Kind != ReadinessProbe.None)
            {
                var probed = await ProbeUntilNextPollAsync(current, deadline, cancellationToken).ConfigureAwait(false);
                if (probed is not null) return probed;
                continue;
            }
            if (target == InstanceState.Running ? current.IsReady : current.State == target)
            {
                if (target == InstanceState.Terminated) await RecordGoneAsync(p, current).ConfigureAwait(false);
                return current;
            }
            await ThrowIfUnreachableAsync(p, current, target).ConfigureAwait(false);

            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                var detail = current.State == InstanceState.Running && target == InstanceState.Running ? "running but not reachable yet" : $"state {current.State} ({current.ProviderState})";
                throw new GpuCloudException(GpuCloudErrorCode.Timeout,
                    $"{p.Name}: instance {instanceId} did not reach {target} within {timeout}; last seen {detail}.", p.Name);
            }
            await Task.Delay(remaining < _options.PollInterval ? remaining : _options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }

        // The provider says running with an endpoint: probe it on the probe's own cadence (it costs the provider
        // nothing) until the next provider poll is due, which still notices an instance that fails or ends meanwhile.
        async Task<GpuInstance?> ProbeUntilNextPollAsync(GpuInstance running, DateTimeOffset deadline, CancellationToken ct)
        {
            var ssh = running.Ssh!;
            var nextPoll = _time.GetUtcNow() + _options.PollInterval;
            while (true)
            {
                var attempt = await Probe.ProbeAsync(ssh, ct).ConfigureAwait(false);
                if (attempt.Answered || attempt.Skipped)
                {
                    return running with
                    {
                        Reachability = new SshProbeResult
                        {
                            Probe = Probe.Kind, Answered = attempt.Answered, Banner = attempt.Banner, NotProbedReason = attempt.Skipped ? attempt.Detail : null,
                        },
                    };
                }
                var now = _time.GetUtcNow();
                if (now >= deadline)
                {
                    throw new GpuCloudException(GpuCloudErrorCode.Timeout,
                        $"{p.Name}: instance {instanceId} did not become ready within {timeout}: running but SSH did not answer at {ssh.Host}:{ssh.Port} ({attempt.Detail}).", p.Name);
                }
                if (now >= nextPoll) return null;
                var wait = Min(ProbeInterval, Min(deadline - now, nextPoll - now));
                await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>How often the readiness probe retries while the provider says running; it costs the provider nothing.</summary>
    internal static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>The readiness probe (<see cref="GpuCloudOptions.ReadinessProbe"/>); tests swap in one with short attempt timeouts.</summary>
    internal SshEndpointProbe Probe
    {
        get => _probe ??= new SshEndpointProbe(_options.ReadinessProbe);
        set => _probe = value;
    }

    private SshEndpointProbe? _probe;

    /// <summary>Closes the journal's entry for an instance seen gone; a journal failure does not fail the wait that saw it.</summary>
    private Task RecordGoneAsync(IGpuCloudProvider provider, GpuInstance gone) =>
        BestEffortJournal.WriteAsync(_options.Journal, j => j.RecordGoneAsync(provider.Name, gone.Id, _time.GetUtcNow(), CancellationToken.None));

    private static GpuInstance Gone(string provider, string id) => new()
    {
        Provider = provider, Id = id, Name = id, State = InstanceState.Terminated, ProviderState = "not-found", Workload = WorkloadType.VirtualMachine,
    };

    private async Task ThrowIfUnreachableAsync(IGpuCloudProvider provider, GpuInstance current, InstanceState target)
    {
        if (current.State == InstanceState.Failed && target != InstanceState.Failed)
        {
            if (current.FailureReason == GpuCloudErrorCode.CapacityUnavailable)
            {
                // The provider leaves an out-of-stock husk behind; remove it before reporting.
                var (deleted, cleanup) = await _creates.DeleteCreatedAsync(provider, current.Id).ConfigureAwait(false);
                throw new GpuCloudException(GpuCloudErrorCode.CapacityUnavailable,
                    $"{provider.Name}: no capacity for instance {current.Id} ({current.ProviderState}); {cleanup}", provider.Name)
                { InstanceDeleted = deleted };
            }
            throw new GpuCloudException(current.FailureReason ?? GpuCloudErrorCode.ProviderUnavailable,
                $"{provider.Name}: instance {current.Id} failed ({current.ProviderState}) while waiting for {target}.", provider.Name);
        }
        if (current.State is InstanceState.Terminated or InstanceState.Terminating && target is not (InstanceState.Terminated or InstanceState.Terminating))
        {
            throw new GpuCloudException(GpuCloudErrorCode.Conflict,
                $"{provider.Name}: instance {current.Id} is {current.State} ({current.ProviderState}) and will not reach {target}.", provider.Name);
        }
    }

    /// <summary>
    /// Creates the cheapest instance that works: walks the plans matching <paramref name="query"/> in price order
    /// across providers, creates each in turn from <paramref name="template"/> and waits until it is ready. A plan
    /// without capacity (refused, or out of stock after create) moves on to the next; any other error stops the walk.
    /// Whatever it created that did not become ready is deleted, also when the caller cancels.
    /// </summary>
    /// <param name="query">Which plans to consider; plans reported unavailable are skipped.</param>
    /// <param name="template">The instance to create; its plan fields are ignored, and settings that do not apply to a plan's workload are left out for that plan (see <see cref="CreateInstanceRequest"/>).</param>
    /// <param name="maxAttempts">How many plans to try at most; <see cref="GpuCloudOptions.MaxCreateAttempts"/> by default.</param>
    /// <param name="progress">Receives the instance after every poll.</param>
    /// <param name="cancellationToken">Cancels the walk (after cleaning up).</param>
    /// <returns>The ready instance.</returns>
    /// <exception cref="GpuCloudException">No plan could be created; <see cref="GpuCloudException.Attempts"/> lists every plan tried and why it failed.</exception>
    public Task<GpuInstance> CreateCheapestAsync(PlanQuery query, CreateInstanceRequest template, int? maxAttempts = null,
        IProgress<GpuInstance>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(template);
        if (maxAttempts is < 1) throw new ArgumentOutOfRangeException(nameof(maxAttempts), "Try at least one plan.");
        return GpuCloudDiagnostics.RunAsync("CreateCheapest", null, () => CreateCheapestCoreAsync(query, template, maxAttempts, progress, cancellationToken));
    }

    private async Task<GpuInstance> CreateCheapestCoreAsync(PlanQuery query, CreateInstanceRequest template, int? maxAttempts,
        IProgress<GpuInstance>? progress, CancellationToken cancellationToken)
    {
        var search = await SearchAsync(query, cancellationToken).ConfigureAwait(false);
        var candidates = search.Plans.Where(p => p.Availability != PlanAvailability.Unavailable).ToArray();
        var attempts = new List<PlanAttempt>();
        var limit = Math.Min(candidates.Length, maxAttempts ?? _options.MaxCreateAttempts);

        for (var i = 0; i < limit; i++)
        {
            var plan = candidates[i];
            GpuInstance? created = null;
            try
            {
                var request = ForPlan(template, plan);
                var provider = GetProvider(plan.Provider);
                created = await _creates.CreateAsync(provider, request, cancellationToken).ConfigureAwait(false);
                return await WaitCoreAsync(provider, created.Id, InstanceState.Running, _options.ReadyTimeout, progress, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (GpuCloudException ex)
            {
                var cleanup = created is null || ex.InstanceDeleted ? null : (await _creates.DeleteCreatedAsync(GetProvider(plan.Provider), created.Id).ConfigureAwait(false)).Message;
                attempts.Add(new PlanAttempt(plan.Provider, plan.Id, plan.Name, ex.Code, cleanup is null ? ex.Message : $"{ex.Message} ({cleanup})"));
                if (ex.Code != GpuCloudErrorCode.CapacityUnavailable)
                    throw Summary(ex.Code, attempts, candidates.Length, search, ex);
            }
            catch (OperationCanceledException) when (created is not null)
            {
                var (deleted, cleanup) = await _creates.DeleteCreatedAsync(GetProvider(plan.Provider), created.Id).ConfigureAwait(false);
                if (!deleted)
                    throw new OperationCanceledException($"Cancelled; {cleanup}.", null, cancellationToken);
                throw;
            }
        }
        throw Summary(GpuCloudErrorCode.CapacityUnavailable, attempts, candidates.Length, search, null);
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
        return new GpuCloudException(code, $"Could not create an instance: {tried}{failures}.", attempts.LastOrDefault()?.Provider, inner)
        {
            Attempts = attempts.ToArray(),
            StatusCode = (inner as GpuCloudException)?.StatusCode,
            ProviderMessage = (inner as GpuCloudException)?.ProviderMessage,
            Field = (inner as GpuCloudException)?.Field,
        };
    }

    /// <summary>Lists the SSH keys registered on every provider, or on one.</summary>
    /// <param name="provider">Only this provider; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<SshKey>> ListSshKeysAsync(string? provider = null, CancellationToken cancellationToken = default)
    {
        var targets = provider is null ? _providers : [GetProvider(provider)];
        var lists = await Task.WhenAll(targets.Select(p =>
            GpuCloudDiagnostics.RunAsync("ListSshKeys", p.Name, () => p.ListSshKeysAsync(cancellationToken)))).ConfigureAwait(false);
        return lists.SelectMany(l => l).ToArray();
    }

    /// <summary>
    /// Registers an SSH key on every provider, or on one. The key is validated first (ed25519, RSA, ECDSA); where the
    /// same key material is already registered (whatever its name or comment), that key is returned instead.
    /// </summary>
    /// <param name="name">The key's name (Fluence: lower-case letters, digits and hyphens, at most 25 characters).</param>
    /// <param name="publicKey">The OpenSSH public key line.</param>
    /// <param name="provider">Only this provider; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key as registered on each provider.</returns>
    public async Task<IReadOnlyList<SshKey>> AddSshKeyAsync(string name, string publicKey, string? provider = null, CancellationToken cancellationToken = default)
    {
        var key = SshPublicKey.Parse(publicKey, nameof(publicKey));
        if (string.IsNullOrWhiteSpace(name)) throw GpuCloudException.Invalid(nameof(name), "a key name is required.");
        var targets = provider is null ? _providers : [GetProvider(provider)];
        return await Task.WhenAll(targets.Select(p =>
            GpuCloudDiagnostics.RunAsync("AddSshKey", p.Name, () => p.AddSshKeyAsync(name, key, cancellationToken)))).ConfigureAwait(false);
    }

    /// <summary>Removes an SSH key; one that is already gone counts as removed.</summary>
    /// <param name="provider">The key's provider.</param>
    /// <param name="keyId">The key's <see cref="SshKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task RemoveSshKeyAsync(string provider, string keyId, CancellationToken cancellationToken = default)
    {
        var p = GetProvider(provider);
        RequireId(keyId, nameof(keyId));
        return GpuCloudDiagnostics.RunAsync("RemoveSshKey", p.Name, () => p.RemoveSshKeyAsync(keyId, cancellationToken));
    }

    private IGpuCloudProvider GetProvider(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw GpuCloudException.Invalid("provider", "a provider name is required.");
        foreach (var p in _providers)
            if (string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)) return p;
        var why = DisabledProviders.TryGetValue(name.Trim(), out var reason) ? $" It is disabled: {reason}." : "";
        throw GpuCloudException.Invalid("provider", $"no provider named '{name}' is configured (configured: {string.Join(", ", _providers.Select(p => p.Name))}).{why}");
    }

    private static string RequireId(string id, string field = "instanceId") =>
        string.IsNullOrWhiteSpace(id) ? throw GpuCloudException.Invalid(field, "an id is required.") : id;

    /// <summary>Disposes the HTTP clients this instance created (not ones passed in).</summary>
    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
