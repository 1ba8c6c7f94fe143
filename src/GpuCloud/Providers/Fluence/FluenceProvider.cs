using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Api = GpuCloud.Generated.Fluence;

namespace GpuCloud.Providers;

/// <summary>
/// Fluence GPU Cloud: container, VM and bare-metal plans and instances, and account SSH keys.
/// Fluence cannot stop or start instances; it can terminate only <c>ACTIVE</c> ones.
/// </summary>
internal sealed partial class FluenceProvider : IGpuCloudProvider, IDisposable
{
    /// <summary>The provider's name, <c>fluence</c>.</summary>
    public const string ProviderName = FluenceErrors.Provider;

    private const int KeyPageSize = 100;
    private const int MaxKeyPages = 100;
    // Detail reads that complete a list run this many at a time: enough for a handful of instances to cost one round
    // trip, few enough not to trip a rate limit with a long list.
    private const int DetailConcurrency = 4;

    private readonly HttpClient _http;
    private readonly ProviderClient<Api.FluenceClient> _api;

    /// <summary>Creates the provider.</summary>
    /// <param name="options">The API key and settings.</param>
    /// <param name="handler">
    /// The HTTP handler to send requests through, with its retries and time limits (e.g. a <see cref="GpuCloudResilienceHandler"/>,
    /// or a test double); by default the standard one: a <see cref="GpuCloudResilienceHandler"/> with default
    /// <see cref="GpuCloudResilienceOptions"/> over a new <see cref="SocketsHttpHandler"/>. The provider adds the API key
    /// header on top, sets no time limit of its own, and does not dispose a handler it was given.
    /// </param>
    /// <param name="logger">Where items of a provider list that cannot be read are reported (at warning) when they are left out.</param>
    /// <param name="timeProvider">The clock of the default handler and of <c>Retry-After</c> dates in errors; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">The API key is missing or malformed, or the base URL is not HTTPS (loopback excepted).</exception>
    public FluenceProvider(FluenceOptions options, HttpMessageHandler? handler = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var key = options.ApiKey!.Trim();
        var baseUrl = options.BaseUrl.ToString().TrimEnd('/');
        var time = timeProvider ?? TimeProvider.System;

        // Fluence's docs show "Authorization: X-API-KEY <key>", its spec an X-API-KEY header; its own Go client sends both so
        // either gateway configuration works, and so do we.
        var apiKeyHeader = new HeaderHandler("X-API-KEY", _ => ValueTask.FromResult(key))
        {
            InnerHandler = handler ?? HttpStack.Create(ProviderName, new GpuCloudResilienceOptions(), time, logger).Handler,
        };
        var authorization = "X-API-KEY " + key;
        var repeatable = new RepeatableKeyDelete { InnerHandler = apiKeyHeader };
        var auth = new HeaderHandler("Authorization", _ => ValueTask.FromResult(authorization)) { InnerHandler = repeatable };
        // A handler we were given belongs to the caller (e.g. IHttpClientFactory): never dispose it.
        _http = HttpStack.Client(auth, disposeHandler: handler is null);
        _api = new(new Api.FluenceClient(_http) { BaseUrl = baseUrl }, skip =>
        {
            var tolerant = new Api.FluenceClient(_http) { BaseUrl = baseUrl };
            tolerant.SkipUnreadableListItems(skip);
            return tolerant;
        }, ProviderName, FluenceErrors.Errors, logger ?? NullLogger.Instance, time);
    }

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public async Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var wanted = Enum.GetValues<WorkloadType>().Where(w => query.Workload is null || query.Workload == w).ToArray();
        var parts = await Task.WhenAll(wanted.Select(w => ListPlansAsync(w, cancellationToken))).ConfigureAwait(false);
        if (parts is [(var only, null)]) return new PlanSearchResult(only, []);

        var plans = new List<GpuPlan>(parts.Sum(p => p.Plans.Count));
        var failures = new List<ProviderFailure>();
        foreach (var (list, error) in parts)
        {
            plans.AddRange(list);
            if (error is not null) failures.Add(new ProviderFailure(Name, null, error));
        }
        // Every endpoint failing is the provider failing; report it once, with the first real cause: a call stopped by the
        // circuit its neighbours opened only echoes theirs.
        if (plans.Count == 0 && failures.Count == wanted.Length && failures.Count > 0)
        {
            var first = failures.FirstOrDefault(f => !HttpFailure.WasNotSent(f.Error)) ?? failures[0];
            failures.Clear();
            failures.Add(first);
        }
        return new PlanSearchResult(plans, failures);
    }

    private async Task<(IReadOnlyList<GpuPlan> Plans, GpuCloudException? Error)> ListPlansAsync(WorkloadType workload, CancellationToken ct)
    {
        try
        {
            return (await FetchPlansAsync(workload, ct).ConfigureAwait(false), null);
        }
        catch (GpuCloudException ex)
        {
            return ([], ex);
        }
    }

    private async Task<IReadOnlyList<GpuPlan>> FetchPlansAsync(WorkloadType workload, CancellationToken ct) => workload switch
    {
        WorkloadType.Container => await _api.ListEachAsync(c => c.ListContainerPlansAsync(ct), FluenceMapping.ContainerPlan, p => p.Plan?.Id, "container plan", ct).ConfigureAwait(false),
        WorkloadType.VirtualMachine => FluenceMapping.MachinePlans(await _api.ListAsync(c => c.ListVmPlansAsync(ct), ct).ConfigureAwait(false), workload, SkippedOption).ToArray(),
        _ => FluenceMapping.MachinePlans(await _api.ListAsync(c => c.ListBareMetalPlansAsync(ct), ct).ConfigureAwait(false), workload, SkippedOption).ToArray(),
    };

    private void SkippedOption(string? id, Exception reason) => ListItems.Skipped(_api.Logger, Name, "plan option", id, reason);

    /// <inheritdoc />
    public async Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default)
    {
        var containers = _api.ListEachAsync(c => c.ListContainerInstancesAsync(cancellationToken), FluenceMapping.Container, i => i.Id,
            "container instance", cancellationToken);
        var vms = _api.ListEachAsync(c => c.ListVmInstancesAsync(cancellationToken), i => FluenceMapping.Machine(i, WorkloadType.VirtualMachine), i => i.Id,
            "VM instance", cancellationToken);
        var metal = _api.ListEachAsync(c => c.ListBareMetalInstancesAsync(cancellationToken), i => FluenceMapping.Machine(i, WorkloadType.BareMetal), i => i.Id,
            "bare-metal instance", cancellationToken);
        var all = await Task.WhenAll(containers, vms, metal).ConfigureAwait(false);
        return await CompleteAsync(all.SelectMany(x => x).ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fluence's lists carry no connection details and no price: only a detail has <c>network</c>, <c>ssh_connection</c>
    /// and <c>billing</c> (docs, manage_instances). A list promises what a detail shows, so every row that can still have
    /// them (not ENDED, not FAILED) is replaced by its detail, a few at a time. A detail that fails costs that row its
    /// extra fields (logged at warning), never the list.
    /// </summary>
    private async Task<IReadOnlyList<GpuInstance>> CompleteAsync(GpuInstance[] listed, CancellationToken ct)
    {
        var wanted = Enumerable.Range(0, listed.Length).Where(i => listed[i].State is not (InstanceState.Terminated or InstanceState.Failed));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = DetailConcurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(wanted, parallel, async (index, token) =>
        {
            var row = listed[index];
            try
            {
                var (workload, raw) = FluenceMapping.SplitId(row.Id);
                listed[index] = await GetAsync(workload ?? row.Workload, raw, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                ListItems.Incomplete(_api.Logger, Name, row.Id, "SSH endpoint, price", ex);
            }
        }).ConfigureAwait(false);
        return listed;
    }

    /// <inheritdoc />
    public async Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var (workload, raw) = SplitId(instanceId);
        if (workload is { } known) return await GetAsync(known, raw, cancellationToken).ConfigureAwait(false);

        // An id copied from Fluence's console has no workload prefix: look in each family in turn.
        foreach (var candidate in Enum.GetValues<WorkloadType>())
        {
            try { return await GetAsync(candidate, raw, cancellationToken).ConfigureAwait(false); }
            catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound) { }
        }
        throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"no instance {raw}.", Name);
    }

    // The hottest call (every poll of a wait): one async frame, no closure.
    private async Task<GpuInstance> GetAsync(WorkloadType workload, string raw, CancellationToken ct)
    {
        try
        {
            var api = _api.Plain;
            return workload switch
            {
                WorkloadType.Container => FluenceMapping.Container(await api.GetContainerInstanceAsync(raw, ct).ConfigureAwait(false)),
                WorkloadType.VirtualMachine => FluenceMapping.Machine(await api.GetVmInstanceAsync(raw, ct).ConfigureAwait(false), workload),
                _ => FluenceMapping.Machine(await api.GetBareMetalInstanceAsync(raw, ct).ConfigureAwait(false), workload),
            };
        }
        catch (Exception ex) when (_api.Translate(ex, ct) is { } translated)
        {
            throw translated;
        }
    }

    private static Api.DeployContainerRequest ContainerBody(CreateInstanceRequest request, string rawPlanId, SshPublicKey? key)
    {
        var c = request.Container!;
        return new Api.DeployContainerRequest
        {
            Plan_id = rawPlanId,
            Name = request.Name,
            Ssh_key = key?.ToString(),
            Constraints = request.Location is null ? null : new Api.PlacementConstraints { Location = request.Location.ToUpperInvariant() },
            Container_settings = new Api.ContainerSettings
            {
                Image = c.Image,
                Expose = c.Ports.Select(p => new Api.ExposedPort { Port = p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Protocol = p.Protocol.ToString().ToLowerInvariant() }).ToList(),
                Environment = c.Environment.Select(e => new Api.EnvironmentVariable { Name = e.Key, Value = e.Value }).ToList(),
                Startup_command = c.StartupCommand,
                Credentials = c.Registry is null ? null : new Api.ContainerCredentials { Host = c.Registry.Host, Username = c.Registry.Username, Password = c.Registry.Password },
            },
        };
    }

    /// <inheritdoc />
    public async Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default)
    {
        var (planId, workload, rawPlanId, key) = CheckBeforeSending(request);
        var plan = request.Plan ?? (await FetchPlansAsync(workload, cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Id == planId)
            ?? throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"plan {planId} is not offered (any more).", Name);
        if (request.Plan is null) FluenceValidation.Validate(request, workload, plan);

        var created = await _api.RunAsync(api =>
        {
            if (workload == WorkloadType.Container)
                return api.DeployContainerInstanceAsync(ContainerBody(request, rawPlanId, key), cancellationToken);
            var vm = new Api.DeployVmRequest { Plan_id = rawPlanId, Name = request.Name, Ssh_key = key!.ToString(), Os_image = request.OsImage! };
            return workload == WorkloadType.VirtualMachine
                ? api.DeployVmInstanceAsync(vm, cancellationToken)
                : api.DeployBareMetalInstanceAsync(vm, cancellationToken);
        }, cancellationToken).ConfigureAwait(false);

        if (string.IsNullOrEmpty(created?.Instance_id))
            throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, "the deploy response carried no instance_id.", Name);
        var id = FluenceMapping.Prefix(workload) + created.Instance_id;
        try
        {
            // The instance exists now: its id must reach the caller even if the caller cancels meanwhile, or
            // nobody could clean it up. So this first read ignores the caller's token; the pipeline's total timeout bounds it.
            return await GetAsync(workload, created.Instance_id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GpuCloudException or OperationCanceledException)
        {
            // The instance exists; a failed first read must not hide its id from the caller.
            return new GpuInstance
            {
                Provider = Name, Id = id, Name = request.Name, State = InstanceState.Provisioning, ProviderState = "INITIALIZED",
                Workload = workload, Gpu = plan.Gpu, PlanName = plan.Name, PricePerHour = plan.PricePerHour, Currency = plan.Currency,
            };
        }
    }

    /// <inheritdoc />
    public async Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        GpuInstance current;
        try
        {
            current = await GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
            return;
        }
        // ENDED is gone already; FAILED never started and is refunded in full: both are done.
        if (current.State is InstanceState.Terminated or InstanceState.Failed) return;
        if (current.State != InstanceState.Running)
            throw new GpuCloudException(GpuCloudErrorCode.Conflict,
                $"only ACTIVE instances can be terminated; {current.Id} is {current.ProviderState}. Wait until it is ACTIVE, then delete it.", Name);

        var (workload, raw) = FluenceMapping.SplitId(current.Id);
        try
        {
            await _api.RunNoContentAsync(api => workload switch
            {
                WorkloadType.VirtualMachine => api.DeleteVmInstanceAsync(raw, cancellationToken),
                WorkloadType.BareMetal => api.DeleteBareMetalInstanceAsync(raw, cancellationToken),
                _ => api.DeleteContainerInstanceAsync(raw, cancellationToken),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
        }
        catch (GpuCloudException ex) when (ex.Code is GpuCloudErrorCode.InvalidRequest or GpuCloudErrorCode.Conflict)
        {
            // A retried DELETE whose first answer was lost meets "only ACTIVE instances can be terminated" on an
            // instance that has already ended: that is success.
            GpuInstance after;
            try
            {
                after = await GetInstanceAsync(current.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (GpuCloudException again) when (again.Code == GpuCloudErrorCode.NotFound)
            {
                return;
            }
            if (after.State is not (InstanceState.Terminated or InstanceState.Failed)) throw;
        }
    }

    /// <inheritdoc />
    public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Task.FromException(new GpuCloudException(GpuCloudErrorCode.NotSupported, "instances cannot be started or stopped, only deployed and terminated.", Name));

    /// <inheritdoc />
    public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        StartInstanceAsync(instanceId, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default)
    {
        // Fluence's main API numbers pages from 1 ("One-based page number") and may refuse page 0; its own client walks
        // pages 1..N as the server reports them. So: ask for page 1, then follow the page number the server reports, and
        // stop on the last page or on a page with nothing new.
        var keys = new List<SshKey>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long page = 1;
        long? firstPage = null;
        long? expected = null;
        var endedEmpty = false;
        for (var requests = 0; requests < MaxKeyPages; requests++)
        {
            var result = await KeyPageAsync(page, cancellationToken).ConfigureAwait(false);
            var added = AddNew(result, keys, seen);
            // Mutants that do not compile make Stryker discard every mutant of this method, so these are left out:
            // Stryker disable once Statement,Equality,Boolean : does not compile ('pagination' unassigned)
            if (result?.Pagination is not { } pagination) break;
            expected = pagination.FilteredRecords;
            // The page the server says it sent for our first request is its numbering base (1, or 0 on a server that
            // numbers from 0 and answers page 1 with its first page).
            firstPage ??= pagination.CurrentPage;
            endedEmpty = added == 0;
            if (endedEmpty) break;
            if (pagination.CurrentPage + 1 - firstPage >= pagination.TotalPages) break;
            page = Math.Max(pagination.CurrentPage, page) + 1;
        }
        // A server that numbers from 0 takes our 1 as its second page and answers its last number with an empty page:
        // its page 0 was left out. Fetch it when the count says keys are missing (a one-based server refuses it or
        // sends nothing new).
        if (firstPage == 1 && endedEmpty && expected > keys.Count)
        {
            try
            {
                AddNew(await KeyPageAsync(0, cancellationToken).ConfigureAwait(false), keys, seen);
            }
            catch (GpuCloudException ex) when (ex.Code is GpuCloudErrorCode.InvalidRequest or GpuCloudErrorCode.NotFound)
            {
            }
        }
        return keys;
    }

    private Task<Api.SshKeyPage> KeyPageAsync(long page, CancellationToken ct) =>
        _api.ListAsync(c => c.ListSshKeysAsync(page, KeyPageSize, null, ct), ct);

    private int AddNew(Api.SshKeyPage? result, List<SshKey> keys, HashSet<string> seen)
    {
        var added = 0;
        foreach (var key in _api.MapEach(result?.Items, FluenceMapping.Key, k => k.Id.ToString(), "SSH key"))
            if (seen.Add(key.Id)) { keys.Add(key); added++; }
        return added;
    }

    /// <inheritdoc />
    public async Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        FluenceValidation.RequireName(name, nameof(name));
        return await Keys.AddAsync(name, publicKey, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParse(keyId, out _))
            throw GpuCloudException.Invalid(nameof(keyId), $"'{InputRules.Printable(keyId ?? "")}' is not a Fluence key id (a UUID).", Name);
        await Keys.RemoveAsync(keyId, cancellationToken).ConfigureAwait(false);
    }

    private SshKeyRegistrar Keys => new(ListSshKeysAsync,
        async (name, key, ct) => FluenceMapping.Key(await _api.RunAsync(c => c.CreateSshKeyAsync(new Api.CreateSshKeyRequest { Name = name, PublicKey = key.ToString() }, ct), ct).ConfigureAwait(false)),
        // The newest sources delete keys with POST /v1/ssh_keys/delete {"ids": [...]} (Fluence's main API spec and its
        // own client); DELETE /v1/ssh_keys/{id} is no longer documented. A key already gone is simply not in the answer.
        (id, ct) => _api.RunAsync(c => c.DeleteSshKeysAsync(new Api.DeleteSshKeysRequest { Ids = [Guid.Parse(id)] }, ct), ct));

    private (WorkloadType? Workload, string Raw) SplitId(string instanceId)
    {
        var (workload, raw) = FluenceMapping.SplitId(instanceId ?? "");
        InputRules.RequireSafeId(raw, nameof(instanceId), Name);
        return (workload, raw);
    }

    /// <summary>Disposes the HTTP client, and its handler when the provider created it.</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Key removal is a POST (<c>/v1/ssh_keys/delete</c>), but removing the same ids twice changes nothing: it may be
    /// retried on a transient failure like the DELETE it replaced.
    /// </summary>
    private sealed class RepeatableKeyDelete : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.RequestUri?.AbsolutePath.EndsWith("/v1/ssh_keys/delete", StringComparison.Ordinal) == true)
                request.Options.Set(GpuCloudResilienceHandler.RepeatableKey, true);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
