using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;
using Mgmt = GpuCloud.Generated.Fluidstack.Management;

namespace GpuCloud.Providers;

/// <summary>
/// Fluidstack Atlas: regions and SSH keys from the global Management API; instance types, capacity and the
/// instance lifecycle from each region's Infrastructure API (<c>Region.url + /api/v1alpha1</c>, with
/// <c>X-PROJECT-ID</c>). Atlas publishes no prices: give them in <see cref="FluidstackOptions.PricePerHour"/>.
/// </summary>
public sealed partial class FluidstackProvider : IGpuCloudProvider, IDisposable
{
    /// <summary>The provider's name, <c>fluidstack</c>.</summary>
    public const string ProviderName = FluidstackErrors.Provider;

    private readonly FluidstackOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly FluidstackTokenSource _tokens;
    private readonly ILogger _logger;
    private readonly Mgmt.FluidstackManagementClient _management;
    private readonly Lazy<Mgmt.FluidstackManagementClient> _tolerantManagement;
    private readonly ConcurrentDictionary<string, Infra.FluidstackInfrastructureClient> _regional = new(StringComparer.OrdinalIgnoreCase);
    // Built only when a plain read of a list failed: most providers never need one.
    private readonly ConcurrentDictionary<string, Infra.FluidstackInfrastructureClient> _tolerantRegional = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _regionLock = new(1, 1);
    private (IReadOnlyDictionary<string, Uri> Regions, DateTimeOffset Expires)? _regions;
    // What each region's /projects said, for as long as the region list is cached: its one project, or why there is none
    // to use (several, none, or the call refused). A transient failure is not remembered.
    private readonly ConcurrentDictionary<string, (Guid Id, GpuCloudException? Problem)> _discoveredProjects = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the provider.</summary>
    /// <param name="options">The token and settings.</param>
    /// <param name="handler">
    /// The HTTP handler to send requests through, with its retries and time limits (e.g. a <see cref="GpuCloudResilienceHandler"/>,
    /// or a test double); by default the standard one: a <see cref="GpuCloudResilienceHandler"/> with default
    /// <see cref="GpuCloudResilienceOptions"/> over a new <see cref="SocketsHttpHandler"/>. The provider sets no time limit
    /// of its own, and does not dispose a handler it was given.
    /// </param>
    /// <param name="timeProvider">The clock for the region cache, token expiry and the default handler; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where items of a provider list that cannot be read are reported (at warning) when they are left out.</param>
    /// <exception cref="ArgumentException">No token or client credentials, a malformed secret, or a management or token URL that is not HTTPS (loopback excepted).</exception>
    public FluidstackProvider(FluidstackOptions options, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var management = options.ManagementUrl;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        var inner = handler ?? HttpStack.Create(ProviderName, new GpuCloudResilienceOptions(), _time, logger).Handler;
        _tokens = new FluidstackTokenSource(options, inner, _time);
        // The official Go client and the Admin API docs send an optional X-ORG-ID on every call.
        HttpMessageHandler withOrganization = string.IsNullOrWhiteSpace(options.OrganizationId)
            ? inner
            : new HeaderHandler("X-ORG-ID", _ => ValueTask.FromResult(options.OrganizationId.Trim())) { InnerHandler = inner };
        var auth = new FluidstackBearerHandler(_tokens) { InnerHandler = withOrganization };
        // A handler we were given belongs to the caller (e.g. IHttpClientFactory): never dispose it.
        _http = HttpStack.Client(auth, disposeHandler: handler is null);
        _management = new Mgmt.FluidstackManagementClient(_http) { BaseUrl = management.ToString().TrimEnd('/') };
        _logger = logger ?? NullLogger.Instance;
        _tolerantManagement = new(() =>
        {
            var tolerant = new Mgmt.FluidstackManagementClient(_http) { BaseUrl = _management.BaseUrl };
            tolerant.SkipUnreadableListItems(ListItems.Reporter(_logger, ProviderName));
            return tolerant;
        });
    }

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <summary>Region name to regional API base, from the Management API, cached for <see cref="FluidstackOptions.RegionCacheDuration"/>.</summary>
    private async Task<IReadOnlyDictionary<string, Uri>> RegionsAsync(CancellationToken ct)
    {
        if (_regions is { } cached && cached.Expires > _time.GetUtcNow()) return cached.Regions;
        await _regionLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_regions is { } again && again.Expires > _time.GetUtcNow()) return again.Regions;
            var listed = await Calls.RunAsync(() => List(_management, () => _tolerantManagement.Value, c => c.ListRegionsAsync(ct)), ct).ConfigureAwait(false) ?? [];
            var regions = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in listed)
            {
                // Mutants that do not compile make Stryker discard every mutant of this method, so these are left out:
                // Stryker disable once Statement,Logical,Boolean : does not compile ('url' unassigned)
                if (string.IsNullOrWhiteSpace(r.Name) || !Uri.TryCreate(r.Url, UriKind.Absolute, out var url)) continue;
                if (_options.Regions.Count > 0 && !_options.Regions.Contains(r.Name, StringComparer.OrdinalIgnoreCase)) continue;
                regions[r.Name] = url;
            }
            _regions = (regions, _time.GetUtcNow() + _options.RegionCacheDuration);
            // A region's URL may have moved: build its client again from the fresh list.
            _regional.Clear();
            _discoveredProjects.Clear();
            return regions;
        }
        finally
        {
            _regionLock.Release();
        }
    }

    private async Task<(Infra.FluidstackInfrastructureClient Plain, Func<Infra.FluidstackInfrastructureClient> Tolerant)> RegionalPairAsync(string region, CancellationToken ct)
    {
        var plain = await RegionalAsync(region, ct).ConfigureAwait(false);
        return (plain, () => _tolerantRegional.GetOrAdd(plain.BaseUrl, url =>
        {
            var tolerant = new Infra.FluidstackInfrastructureClient(_http) { BaseUrl = url };
            tolerant.SkipUnreadableListItems(ListItems.Reporter(_logger, ProviderName));
            return tolerant;
        }));
    }

    private async Task<Infra.FluidstackInfrastructureClient> RegionalAsync(string region, CancellationToken ct)
    {
        if (_regional.TryGetValue(region, out var client)) return client;
        var regions = await RegionsAsync(ct).ConfigureAwait(false);
        if (!regions.TryGetValue(region, out var url))
            throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"no region named '{EndpointRules.Printable(region)}' (known: {string.Join(", ", regions.Keys)}).", Name);
        Uri checkedUrl;
        try
        {
            // A region URL comes from the API: the bearer token must still never leave over plain HTTP.
            checkedUrl = EndpointRules.RequireHttps(url, $"region {region} url");
        }
        catch (ArgumentException ex)
        {
            throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, ex.Message, Name, ex);
        }
        return _regional.GetOrAdd(region, _ => new Infra.FluidstackInfrastructureClient(_http)
        {
            BaseUrl = checkedUrl.ToString().TrimEnd('/') + "/api/v1alpha1",
        });
    }

    /// <summary>The project configured for <paramref name="region"/> (by region, else for all regions), if any.</summary>
    private Guid? ConfiguredProject(string region)
    {
        if (_options.ProjectIds is { Count: > 0 } byRegion)
        {
            if (byRegion.TryGetValue(region, out var id)) return id;
            // A dictionary bound from configuration may compare names exactly; region names do not.
            foreach (var (name, value) in byRegion)
                if (string.Equals(name, region, StringComparison.OrdinalIgnoreCase)) return value;
        }
        return _options.ProjectId;
    }

    /// <summary>
    /// The project of <paramref name="region"/>: configured, or else the one project the region's <c>/projects</c> lists
    /// (Atlas projects are regional: the official client's example asks for "an existing Atlas project in this region").
    /// </summary>
    private async Task<Guid> ProjectAsync(string region, CancellationToken ct)
    {
        if (ConfiguredProject(region) is { } configured) return configured;
        if (_discoveredProjects.TryGetValue(region, out var known)) return known.Problem is { } problem ? throw problem : known.Id;
        try
        {
            var id = await DiscoverProjectAsync(region, ct).ConfigureAwait(false);
            _discoveredProjects[region] = (id, null);
            return id;
        }
        catch (GpuCloudException ex) when (!ex.IsTransient)
        {
            _discoveredProjects[region] = (Guid.Empty, ex);
            throw;
        }
    }

    private async Task<Guid> DiscoverProjectAsync(string region, CancellationToken ct)
    {
        var (api, tolerant) = await RegionalPairAsync(region, ct).ConfigureAwait(false);
        var projects = (await Calls.RunAsync(() => List(api, tolerant, c => c.ListProjectsAsync(ct)), ct).ConfigureAwait(false) ?? [])
            .Where(p => p is not null && p.Id != Guid.Empty).ToArray();
        if (projects.Length != 1)
            throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
                $"region {region} has {(projects.Length == 0 ? "no project" : $"{projects.Length} projects ({string.Join(", ", projects.Select(p => $"{p.Name} {p.Id}"))})")}: "
                + $"set FluidstackOptions.ProjectIds[\"{region}\"] (FLUIDSTACK_PROJECT_ID={region}=<uuid>).", Name) { Field = "Fluidstack.ProjectIds" };
        return projects[0].Id;
    }

    /// <inheritdoc />
    public async Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Workload is { } w && w != WorkloadType.VirtualMachine) return PlanSearchResult.Empty;
        var regions = await RegionsAsync(cancellationToken).ConfigureAwait(false);
        var results = await Task.WhenAll(regions.Keys.Select(r => RegionPlansAsync(r, cancellationToken))).ConfigureAwait(false);
        var failures = results.SelectMany(r => r.Errors.Select(e => new ProviderFailure(Name, r.Region, e))).ToArray();
        return new PlanSearchResult(results.SelectMany(r => r.Plans).ToArray(), failures);
    }

    private async Task<(string Region, IReadOnlyList<GpuPlan> Plans, IReadOnlyList<GpuCloudException> Errors)> RegionPlansAsync(string region, CancellationToken ct)
    {
        try
        {
            var (api, tolerant) = await RegionalPairAsync(region, ct).ConfigureAwait(false);
            var types = Calls.RunAsync(() => List(api, tolerant, c => c.ListInstanceTypesAsync(ct)), ct);
            var capacity = CapacityAsync(region, api, tolerant, ct);
            var typeList = await types.ConfigureAwait(false) ?? [];
            var (available, refused) = await capacity.ConfigureAwait(false);
            var plans = ListItems.MapEach(typeList.Where(t => !string.IsNullOrWhiteSpace(t?.Name)), t => FluidstackMapping.Plan(region, t, _options, available),
                t => t.Name, _logger, Name, "instance type").ToArray();
            return (region, plans, refused is null ? [] : [refused]);
        }
        catch (GpuCloudException ex)
        {
            return (region, [], [ex]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One region's odd answer must not take the other regions' plans with it.
            return (region, [], [new GpuCloudException(GpuCloudErrorCode.InvalidResponse, $"region {region}: {ex.Message}", Name, ex)]);
        }
    }

    /// <summary>
    /// Capacity by type name, or none (availability unknown). A region whose capacity call is refused (403/404: the
    /// project is not there) keeps its instance types; the refusal is reported beside them. A region without a
    /// project at all simply has no capacity figures.
    /// </summary>
    private async Task<(IReadOnlyDictionary<string, int>? Available, GpuCloudException? Refused)> CapacityAsync(
        string region, Infra.FluidstackInfrastructureClient api, Func<Infra.FluidstackInfrastructureClient> tolerant, CancellationToken ct)
    {
        Guid project;
        try
        {
            project = await ProjectAsync(region, ct).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.InvalidRequest || ConfiguredProject(region) is null)
        {
            return (null, null);
        }
        try
        {
            var capacity = await Calls.RunAsync(() => List(api, tolerant, c => c.ListCapacityAsync(project, ct)), ct).ConfigureAwait(false) ?? [];
            var available = capacity
                .Where(c => c?.Name is not null)
                .GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => (int)Math.Clamp(g.Sum(c => (long)c.Capacity), 0, int.MaxValue), StringComparer.OrdinalIgnoreCase);
            return (available, null);
        }
        catch (GpuCloudException ex) when (ex.Code is not GpuCloudErrorCode.Unauthorized)
        {
            return (null, new GpuCloudException(ex.Code, $"region {region}: capacity unknown: {ex.Detail}", Name, ex) { Field = ex.Field });
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default)
    {
        var wanted = _options.Regions;
        if (_options.ProjectIds is not { Count: > 0 } && _options.ProjectId is { } everywhere)
        {
            // One project for every region, as configured: one call.
            var all = await Calls.RunAsync(() => List(_management, () => _tolerantManagement.Value, c => c.ListInstancesAsync(everywhere, cancellationToken)), cancellationToken).ConfigureAwait(false) ?? [];
            return ListItems.MapEach(all.Where(i => i is not null && (wanted.Count == 0 || wanted.Contains(i.Region, StringComparer.OrdinalIgnoreCase))),
                i => FluidstackMapping.Instance(i, _options), i => i.Id.ToString(), _logger, Name, "instance").ToArray();
        }

        // Each region's project lists that region's instances: one call per distinct project, keeping only instances in
        // regions whose project it is (nothing from a project GpuCloud was not told to use is returned as ours).
        var regions = await RegionsAsync(cancellationToken).ConfigureAwait(false);
        var byRegion = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        GpuCloudException? missing = null;
        foreach (var region in regions.Keys)
        {
            try
            {
                byRegion[region] = await ProjectAsync(region, cancellationToken).ConfigureAwait(false);
            }
            catch (GpuCloudException ex)
            {
                missing ??= ex;
            }
        }
        if (byRegion.Count == 0)
            throw missing ?? new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
                "instances need a project: set FluidstackOptions.ProjectId or ProjectIds (FLUIDSTACK_PROJECT_ID).", Name) { Field = "Fluidstack.ProjectId" };

        var lists = await Task.WhenAll(byRegion.Values.Distinct().Select(async project =>
        {
            var listed = await Calls.RunAsync(() => List(_management, () => _tolerantManagement.Value, c => c.ListInstancesAsync(project, cancellationToken)), cancellationToken).ConfigureAwait(false) ?? [];
            return listed.Where(i => i?.Region is not null && byRegion.TryGetValue(i.Region, out var owner) && owner == project);
        })).ConfigureAwait(false);
        return ListItems.MapEach(lists.SelectMany(l => l), i => FluidstackMapping.Instance(i, _options), i => i.Id.ToString(), _logger, Name, "instance").ToArray();
    }

    /// <inheritdoc />
    public async Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var (region, id) = SplitInstanceId(instanceId);
        var project = await ProjectAsync(region, cancellationToken).ConfigureAwait(false);
        var api = await RegionalAsync(region, cancellationToken).ConfigureAwait(false);
        var instance = await Calls.RunAsync(() => api.GetInstanceAsync(project, id, cancellationToken), cancellationToken).ConfigureAwait(false);
        return FluidstackMapping.Instance(region, instance, _options);
    }

    /// <inheritdoc />
    public async Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default)
    {
        var (region, type, keys) = CheckBeforeSending(request);
        var userData = FluidstackMapping.UserData(request.UserData, keys);
        var project = await ProjectAsync(region, cancellationToken).ConfigureAwait(false);

        var api = await RegionalAsync(region, cancellationToken).ConfigureAwait(false);
        var body = new Infra.InstancesPostRequest
        {
            Name = request.Name,
            Type = type,
            Image = request.OsImage ?? _options.DefaultImage,
            UserData = FluidstackMapping.Utf8(userData),
            Tags = request.Tags.Count == 0 ? null : new Dictionary<string, string>(request.Tags),
            Preemptible = false,
            Ephemeral = false,
        };
        var created = await Calls.RunAsync(() => CreateAcceptingAny2xxAsync(api, project, body, cancellationToken), cancellationToken).ConfigureAwait(false)
            ?? throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, "the create response was empty.", Name);
        return FluidstackMapping.Instance(region, created, _options);
    }

    /// <summary>
    /// The spec declares 201 for a create; servers vary (the official example checks 201, others answer 200 or 202): any
    /// 2xx that carries the instance is the instance, not an error.
    /// </summary>
    private static async Task<Infra.Instance> CreateAcceptingAny2xxAsync(Infra.FluidstackInfrastructureClient api, Guid project, Infra.InstancesPostRequest body, CancellationToken ct)
    {
        try
        {
            return await api.CreateInstanceAsync(project, body, ct).ConfigureAwait(false);
        }
        catch (Infra.FluidstackInfrastructureApiException ex) when (ex.StatusCode is >= 200 and < 300 and not 201 && ReadInstance(ex.Response) is { } instance)
        {
            return instance;
        }
    }

    private static Infra.Instance? ReadInstance(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            var settings = new Newtonsoft.Json.JsonSerializerSettings { ContractResolver = Generated.TolerantContractResolver.Instance };
            return Newtonsoft.Json.JsonConvert.DeserializeObject<Infra.Instance>(json, settings) is { } instance && instance.Id != Guid.Empty ? instance : null;
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var (region, id) = SplitInstanceId(instanceId);
        var project = await ProjectAsync(region, cancellationToken).ConfigureAwait(false);
        var api = await RegionalAsync(region, cancellationToken).ConfigureAwait(false);
        try
        {
            await Calls.RunNoContentAsync(() => api.DeleteInstanceAsync(project, id, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
        }
    }

    /// <inheritdoc />
    public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        ActionAsync(instanceId, start: true, cancellationToken);

    /// <inheritdoc />
    public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        ActionAsync(instanceId, start: false, cancellationToken);

    private async Task ActionAsync(string instanceId, bool start, CancellationToken ct)
    {
        var (region, id) = SplitInstanceId(instanceId);
        var project = await ProjectAsync(region, ct).ConfigureAwait(false);
        var api = await RegionalAsync(region, ct).ConfigureAwait(false);
        await Calls.RunNoContentAsync(() => start ? api.StartInstanceAsync(project, id, ct) : api.StopInstanceAsync(project, id, ct), ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) =>
        ListItems.MapEach(await Calls.RunAsync(() => List(_management, () => _tolerantManagement.Value, c => c.ListKeysAsync(cancellationToken)), cancellationToken).ConfigureAwait(false),
            FluidstackMapping.Key, k => k.Name, _logger, Name, "SSH key").ToArray();

    /// <inheritdoc />
    public async Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        FluidstackValidation.RequireName(name, nameof(name));
        return await Keys.AddAsync(name, publicKey, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        FluidstackValidation.RequireName(keyId, nameof(keyId));
        await Keys.RemoveAsync(keyId, cancellationToken).ConfigureAwait(false);
    }

    // Registering answers without the key: the key as listed afterwards is the answer.
    private SshKeyRegistrar Keys => new(ListSshKeysAsync,
        async (name, key, ct) =>
        {
            var sent = new Mgmt.SSHKey { Name = name, Key = key.ToString() };
            await Calls.RunNoContentAsync(() => _management.RegisterKeyAsync(sent, ct), ct).ConfigureAwait(false);
            return FluidstackMapping.Key(sent);
        },
        (id, ct) => Calls.RunNoContentAsync(() => _management.DeregisterKeyAsync(id, ct), ct),
        readBack: true);

    private (string Region, Guid Id) SplitInstanceId(string instanceId)
    {
        if (instanceId is not null && FluidstackMapping.SplitId(instanceId) is var (region, local) && Guid.TryParse(local, out var id))
            return (EndpointRules.RequireSafeId(region, nameof(instanceId), Name), id);
        throw GpuCloudException.Invalid(nameof(instanceId), $"'{EndpointRules.Printable(instanceId ?? "")}' is not a Fluidstack instance id (region/uuid).", Name);
    }

    private static Task<T> List<TClient, T>(TClient plain, Func<TClient> tolerant, Func<TClient, Task<T>> read) => Calls.ListAsync(plain, tolerant, read);

    private static ProviderCalls Calls => FluidstackErrors.Calls;

    /// <summary>Disposes the HTTP client, and its handler when the provider created it.</summary>
    public void Dispose()
    {
        _http.Dispose();
        _tokens.Dispose();
        _regionLock.Dispose();
    }
}
