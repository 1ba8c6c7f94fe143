using GpuCloud.Providers;
using Microsoft.Extensions.Logging;

namespace GpuCloud;

/// <summary>
/// One client over any set of GPU clouds: search plans across all of them, create the cheapest that has
/// capacity, wait for it, and release it, with every failure as a <see cref="GpuCloudException"/>.
/// </summary>
/// <example>
/// <code>
/// using var cloud = new GpuCloudClient(GpuCloudOptions.FromEnvironment());
/// var found = await cloud.ListPlansAsync(new PlanQuery { GpuModels = ["H100"] });
/// </code>
/// </example>
public sealed class GpuCloudClient : IDisposable
{
    private readonly ProviderSet _providers;
    private readonly CreateRecovery _creates;
    private readonly PlanSearch _search;
    private readonly InstanceWaiter _waiter;
    private readonly CheapestCreate _cheapest;
    private readonly CreatorLease _lease;
    private readonly OwnedInstances _owned;

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
        : this(ProviderSet.Build(Validated(options), timeProvider, loggerFactory, primaryHandler), options, timeProvider)
    {
    }

    /// <summary>
    /// Creates a client over the given providers (e.g. a provider of your own); for your own HTTP handler under the
    /// built-in providers, set <see cref="GpuCloudOptions.Transport"/> instead.
    /// </summary>
    /// <param name="providers">The providers; names must be unique.</param>
    /// <param name="options">Waiting and failover settings; the provider sections are not used.</param>
    /// <param name="timeProvider">The clock for waits and polling; <see cref="TimeProvider.System"/> by default.</param>
    public GpuCloudClient(IEnumerable<IGpuCloudProvider> providers, GpuCloudOptions? options = null, TimeProvider? timeProvider = null)
        : this(ProviderSet.Of(providers ?? throw new ArgumentNullException(nameof(providers))), Validated(options ?? new GpuCloudOptions()), timeProvider ?? TimeProvider.System)
    {
    }

    private GpuCloudClient(ProviderSet providers, GpuCloudOptions options, TimeProvider time)
    {
        _providers = providers;
        _lease = new CreatorLease(options, time);
        _creates = new CreateRecovery(options, time, _lease);
        _search = new PlanSearch(providers.All);
        _waiter = new InstanceWaiter(options, time, _creates);
        _cheapest = new CheapestCreate(options, _search, _creates, _waiter, providers.Get);
        _owned = new OwnedInstances(options, time, _waiter);
    }

    /// <summary>The readiness probe the waits use; tests swap in one with short attempt timeouts.</summary>
    internal SshEndpointProbe Probe
    {
        get => _waiter.Probe;
        set => _waiter.Probe = value;
    }

    private static GpuCloudOptions Validated(GpuCloudOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <summary>The providers in use.</summary>
    public IReadOnlyList<IGpuCloudProvider> Providers => _providers.All;

    /// <summary>Providers left out for lack of configuration, with the reason.</summary>
    public IReadOnlyDictionary<string, string> DisabledProviders => _providers.Disabled;

    /// <summary>
    /// Searches every provider the query allows, concurrently. Plans come back cheapest first (unknown
    /// prices last, ties in provider order); a provider that fails is listed in
    /// <see cref="PlanSearchResult.Failures"/> and never hides the others' plans.
    /// </summary>
    /// <param name="query">Filters; <see langword="null"/> lists everything.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="GpuCloudException">The query is invalid (<see cref="GpuCloudErrorCode.InvalidRequest"/>).</exception>
    public Task<PlanSearchResult> ListPlansAsync(PlanQuery? query = null, CancellationToken cancellationToken = default) =>
        _search.SearchAsync(query ?? new PlanQuery(), cancellationToken); // counted once per provider asked, in the search

    /// <summary>
    /// Lists instances on every provider, or on one; each says whether GpuCloud created it (<see cref="GpuInstance.CreatedByGpuCloud"/>,
    /// from the journal and the providers' marks; unknown for an unmarked instance when the journal cannot be read).
    /// </summary>
    /// <param name="provider">Only this provider; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(string? provider = null, CancellationToken cancellationToken = default)
    {
        var lists = await EachAsync("ListInstances", provider, p => p.ListInstancesAsync(cancellationToken)).ConfigureAwait(false);
        return await _owned.MarkAsync(lists.SelectMany(l => l.Result.Select(i => (l.Provider, i))), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets one instance.</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<GpuInstance> GetInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default) =>
        OneAsync("GetInstance", provider, instanceId, p => p.GetInstanceAsync(instanceId, cancellationToken));

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
        var p = _providers.Get(provider);
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
        GpuCloudDiagnostics.RunAsync("ListOwned", null, () => _owned.FindAsync(_providers.All, cancellationToken));

    /// <summary>
    /// Deletes an instance that <see cref="ListOwnedAsync"/> proved this client's (<see cref="OwnedInstance.IsProved"/>) and
    /// waits until it is gone, recording that in the journal. In a journal shared by several machines
    /// (<see cref="ISharedInstanceJournal"/>) the instance's entry is claimed first, so that of two sweeps only one deletes
    /// it: the other gets <see cref="SweepOutcome.ClaimedByAnother"/> and touches nothing.
    /// </summary>
    /// <param name="owned">An instance from <see cref="ListOwnedAsync"/>.</param>
    /// <param name="timeout">How long to wait until it is gone; five minutes by default.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="GpuCloudException">
    /// <see cref="GpuCloudErrorCode.InvalidRequest"/> when the instance is not proved this client's (delete it by id with
    /// <see cref="DeleteInstanceAsync"/> if it is); otherwise why the delete failed.
    /// </exception>
    public Task<SweptInstance> DeleteOwnedAsync(OwnedInstance owned, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owned);
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout must be positive.");
        var p = _providers.Get(owned.Instance.Provider);
        return GpuCloudDiagnostics.RunAsync("DeleteOwned", p.Name, () => _owned.DeleteAsync(p, owned, timeout ?? TimeSpan.FromMinutes(5), cancellationToken));
    }

    /// <summary>
    /// Records that an instance this client created is kept on purpose (handed to its user), so that when this process
    /// exits <see cref="ListOwnedAsync"/> does not count it as left behind; it needs attention again only once its
    /// <see cref="CreateInstanceRequest.MaxDuration"/> has passed. Without a journal this does nothing.
    /// </summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="GpuCloudException"><see cref="GpuCloudErrorCode.JournalUnavailable"/> when the journal cannot be written.</exception>
    public Task KeepInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default)
    {
        var p = _providers.Get(provider);
        RequireId(instanceId);
        return _owned.KeepAsync(p.Name, instanceId, cancellationToken);
    }

    /// <summary>Deletes an instance; one that is already gone counts as deleted.</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default) =>
        OneAsync("DeleteInstance", provider, instanceId, p => p.DeleteInstanceAsync(instanceId, cancellationToken));

    /// <summary>Starts a stopped instance (Fluidstack).</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task StartInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default) =>
        OneAsync("StartInstance", provider, instanceId, p => p.StartInstanceAsync(instanceId, cancellationToken));

    /// <summary>Stops a running instance (Fluidstack).</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task StopInstanceAsync(string provider, string instanceId, CancellationToken cancellationToken = default) =>
        OneAsync("StopInstance", provider, instanceId, p => p.StopInstanceAsync(instanceId, cancellationToken));

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
        var p = _providers.Get(provider);
        RequireId(instanceId);
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout must be positive.");
        if (target == InstanceState.Unknown) throw new ArgumentOutOfRangeException(nameof(target), "Cannot wait for the Unknown state.");
        return GpuCloudDiagnostics.RunAsync("WaitForState", p.Name, () => _waiter.WaitAsync(p, instanceId, target, timeout, progress, deleteOutOfStock: true, cancellationToken));
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
        return GpuCloudDiagnostics.RunAsync("CreateCheapest", null, () => _cheapest.CreateAsync(query, template, maxAttempts, progress, cancellationToken));
    }

    /// <summary>Lists the SSH keys registered on every provider, or on one.</summary>
    /// <param name="provider">Only this provider; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<SshKey>> ListSshKeysAsync(string? provider = null, CancellationToken cancellationToken = default)
    {
        var lists = await EachAsync("ListSshKeys", provider, p => p.ListSshKeysAsync(cancellationToken)).ConfigureAwait(false);
        return lists.SelectMany(l => l.Result).ToArray();
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
        var added = await EachAsync("AddSshKey", provider, p => p.AddSshKeyAsync(name, key, cancellationToken)).ConfigureAwait(false);
        return added.Select(a => a.Result).ToArray();
    }

    /// <summary>Removes an SSH key; one that is already gone counts as removed.</summary>
    /// <param name="provider">The key's provider.</param>
    /// <param name="keyId">The key's <see cref="SshKey.Id"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task RemoveSshKeyAsync(string provider, string keyId, CancellationToken cancellationToken = default) =>
        OneAsync("RemoveSshKey", provider, keyId, p => p.RemoveSshKeyAsync(keyId, cancellationToken), nameof(keyId));

    /// <summary>One provider's call about one id, counted as <paramref name="operation"/>; the id is checked before anything is sent.</summary>
    private Task<T> OneAsync<T>(string operation, string provider, string id, Func<IGpuCloudProvider, Task<T>> call, string field = "instanceId")
    {
        var p = _providers.Get(provider);
        RequireId(id, field);
        return GpuCloudDiagnostics.RunAsync(operation, p.Name, () => call(p));
    }

    private Task OneAsync(string operation, string provider, string id, Func<IGpuCloudProvider, Task> call, string field = "instanceId") =>
        OneAsync(operation, provider, id, async p =>
        {
            await call(p).ConfigureAwait(false);
            return true;
        }, field);

    /// <summary>The same call to every provider (or one) at once, each counted as <paramref name="operation"/> with its provider.</summary>
    private Task<(IGpuCloudProvider Provider, T Result)[]> EachAsync<T>(string operation, string? provider, Func<IGpuCloudProvider, Task<T>> call) =>
        Task.WhenAll(_providers.OneOrAll(provider).Select(async p => (p, await GpuCloudDiagnostics.RunAsync(operation, p.Name, () => call(p)).ConfigureAwait(false))));

    private static string RequireId(string id, string field = "instanceId") =>
        string.IsNullOrWhiteSpace(id) ? throw GpuCloudException.Invalid(field, "an id is required.") : id;

    /// <summary>
    /// Disposes the HTTP clients this instance created (not ones passed in), and stops renewing this process's lease in a
    /// shared journal (<see cref="ISharedInstanceJournal"/>).
    /// </summary>
    public void Dispose()
    {
        _lease.Dispose();
        _providers.Dispose();
    }
}
