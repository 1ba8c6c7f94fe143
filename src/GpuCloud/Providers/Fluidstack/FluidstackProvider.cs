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
internal sealed partial class FluidstackProvider : IGpuCloudProvider, IDisposable
{
    /// <summary>The provider's name, <c>fluidstack</c>.</summary>
    public const string ProviderName = FluidstackErrors.Provider;

    private readonly FluidstackOptions _options;
    private readonly HttpClient _http;
    private readonly FluidstackTokenSource _tokens;
    private readonly ProviderClient<Mgmt.FluidstackManagementClient> _management;
    private readonly FluidstackRegions _regions;

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
        var time = timeProvider ?? TimeProvider.System;
        var inner = handler ?? HttpStack.Create(ProviderName, new GpuCloudResilienceOptions(), time, logger).Handler;
        _tokens = new FluidstackTokenSource(options, inner, time);
        // The official Go client and the Admin API docs send an optional X-ORG-ID on every call.
        HttpMessageHandler withOrganization = string.IsNullOrWhiteSpace(options.OrganizationId)
            ? inner
            : new HeaderHandler("X-ORG-ID", _ => ValueTask.FromResult(options.OrganizationId.Trim())) { InnerHandler = inner };
        var auth = new FluidstackBearerHandler(_tokens) { InnerHandler = withOrganization };
        // A handler we were given belongs to the caller (e.g. IHttpClientFactory): never dispose it.
        var http = _http = HttpStack.Client(auth, disposeHandler: handler is null);
        var log = logger ?? NullLogger.Instance;
        var baseUrl = management.ToString().TrimEnd('/');
        _management = new(new Mgmt.FluidstackManagementClient(http) { BaseUrl = baseUrl }, skip =>
        {
            var tolerant = new Mgmt.FluidstackManagementClient(http) { BaseUrl = baseUrl };
            tolerant.SkipUnreadableListItems(skip);
            return tolerant;
        }, ProviderName, FluidstackErrors.Errors, log, time);
        _regions = new FluidstackRegions(options, _management, regionUrl => new(new Infra.FluidstackInfrastructureClient(http) { BaseUrl = regionUrl }, skip =>
        {
            var tolerant = new Infra.FluidstackInfrastructureClient(http) { BaseUrl = regionUrl };
            tolerant.SkipUnreadableListItems(skip);
            return tolerant;
        }, ProviderName, FluidstackErrors.Errors, log, time), time);
    }

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public async Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Workload is { } w && w != WorkloadType.VirtualMachine) return PlanSearchResult.Empty;
        var regions = await _regions.NamesAsync(cancellationToken).ConfigureAwait(false);
        var results = await Task.WhenAll(regions.Select(r => RegionPlansAsync(r, cancellationToken))).ConfigureAwait(false);
        var failures = results.SelectMany(r => r.Errors.Select(e => new ProviderFailure(Name, r.Region, e))).ToArray();
        return new PlanSearchResult(results.SelectMany(r => r.Plans).ToArray(), failures);
    }

    private async Task<(string Region, IReadOnlyList<GpuPlan> Plans, IReadOnlyList<GpuCloudException> Errors)> RegionPlansAsync(string region, CancellationToken ct)
    {
        try
        {
            var api = await _regions.ClientAsync(region, ct).ConfigureAwait(false);
            var types = api.ListAsync(c => c.ListInstanceTypesAsync(ct), ct);
            var capacity = CapacityAsync(region, api, ct);
            var typeList = await types.ConfigureAwait(false) ?? [];
            var (available, refused) = await capacity.ConfigureAwait(false);
            var plans = api.MapEach(typeList.Where(t => !string.IsNullOrWhiteSpace(t?.Name)), t => FluidstackMapping.Plan(region, t, _options, available),
                t => t.Name, "instance type").ToArray();
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
        string region, ProviderClient<Infra.FluidstackInfrastructureClient> api, CancellationToken ct)
    {
        Guid project;
        try
        {
            project = await _regions.ProjectAsync(region, ct).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.InvalidRequest || _regions.ConfiguredProject(region) is null)
        {
            return (null, null);
        }
        try
        {
            var capacity = await api.ListAsync(c => c.ListCapacityAsync(project, ct), ct).ConfigureAwait(false) ?? [];
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
            var all = await _management.ListAsync(c => c.ListInstancesAsync(everywhere, cancellationToken), cancellationToken).ConfigureAwait(false) ?? [];
            return _management.MapEach(all.Where(i => i is not null && (wanted.Count == 0 || wanted.Contains(i.Region, StringComparer.OrdinalIgnoreCase))),
                i => FluidstackMapping.Instance(i, _options), i => i.Id.ToString(), "instance").ToArray();
        }

        // Each region's project lists that region's instances: one call per distinct project, keeping only instances in
        // regions whose project it is (nothing from a project GpuCloud was not told to use is returned as ours).
        var byRegion = await _regions.ProjectsAsync(cancellationToken).ConfigureAwait(false);

        var lists = await Task.WhenAll(byRegion.Values.Distinct().Select(async project =>
        {
            var listed = await _management.ListAsync(c => c.ListInstancesAsync(project, cancellationToken), cancellationToken).ConfigureAwait(false) ?? [];
            return listed.Where(i => i?.Region is not null && byRegion.TryGetValue(i.Region, out var owner) && owner == project);
        })).ConfigureAwait(false);
        return _management.MapEach(lists.SelectMany(l => l), i => FluidstackMapping.Instance(i, _options), i => i.Id.ToString(), "instance").ToArray();
    }

    /// <inheritdoc />
    public async Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var (region, id) = SplitInstanceId(instanceId);
        var (api, project) = await _regions.ResolveAsync(region, cancellationToken).ConfigureAwait(false);
        var instance = await api.RunAsync(c => c.GetInstanceAsync(project, id, cancellationToken), cancellationToken).ConfigureAwait(false);
        return FluidstackMapping.Instance(region, instance, _options);
    }

    /// <inheritdoc />
    public async Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default)
    {
        var (region, type, keys) = CheckBeforeSending(request);
        var userData = FluidstackMapping.UserData(request.UserData, keys);
        var (api, project) = await _regions.ResolveAsync(region, cancellationToken).ConfigureAwait(false);
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
        var created = await api.RunAsync(c => CreateAcceptingAny2xxAsync(c, project, body, cancellationToken), cancellationToken).ConfigureAwait(false)
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
        var (api, project) = await _regions.ResolveAsync(region, cancellationToken).ConfigureAwait(false);
        try
        {
            await api.RunNoContentAsync(c => c.DeleteInstanceAsync(project, id, cancellationToken), cancellationToken).ConfigureAwait(false);
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
        var (api, project) = await _regions.ResolveAsync(region, ct).ConfigureAwait(false);
        await api.RunNoContentAsync(c => start ? c.StartInstanceAsync(project, id, ct) : c.StopInstanceAsync(project, id, ct), ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) =>
        await _management.ListEachAsync(c => c.ListKeysAsync(cancellationToken), FluidstackMapping.Key, k => k.Name, "SSH key", cancellationToken).ConfigureAwait(false);

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
            await _management.RunNoContentAsync(c => c.RegisterKeyAsync(sent, ct), ct).ConfigureAwait(false);
            return FluidstackMapping.Key(sent);
        },
        (id, ct) => _management.RunNoContentAsync(c => c.DeregisterKeyAsync(id, ct), ct),
        readBack: true);

    private (string Region, Guid Id) SplitInstanceId(string instanceId)
    {
        if (instanceId is not null && FluidstackMapping.SplitId(instanceId) is var (region, local) && Guid.TryParse(local, out var id))
            return (InputRules.RequireSafeId(region, nameof(instanceId), Name), id);
        throw GpuCloudException.Invalid(nameof(instanceId), $"'{InputRules.Printable(instanceId ?? "")}' is not a Fluidstack instance id (region/uuid).", Name);
    }

    /// <summary>Disposes the HTTP client, and its handler when the provider created it.</summary>
    public void Dispose()
    {
        _http.Dispose();
        _tokens.Dispose();
        _regions.Dispose();
    }
}
