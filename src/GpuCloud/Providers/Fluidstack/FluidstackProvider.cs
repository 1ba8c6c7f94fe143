using System.Collections.Concurrent;
using GpuCloud.Errors;
using GpuCloud.Http;
using GpuCloud.Instances;
using GpuCloud.Plans;
using GpuCloud.SshKeys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;
using Mgmt = GpuCloud.Generated.Fluidstack.Management;

namespace GpuCloud.Providers.Fluidstack;

/// <summary>
/// Fluidstack Atlas: regions and SSH keys from the global Management API; instance types, capacity and the
/// instance lifecycle from each region's Infrastructure API (<c>Region.url + /api/v1alpha1</c>, with
/// <c>X-PROJECT-ID</c>). Atlas publishes no prices: give them in <see cref="FluidstackOptions.PricePerHour"/>.
/// </summary>
public sealed class FluidstackProvider : IGpuCloudProvider, IDisposable
{
    /// <summary>The provider's name, <c>fluidstack</c>.</summary>
    public const string ProviderName = FluidstackErrors.Provider;

    private readonly FluidstackOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly FluidstackTokenSource _tokens;
    private readonly ILogger _logger;
    private readonly Mgmt.FluidstackManagementClient _management;
    private readonly Mgmt.FluidstackManagementClient _tolerantManagement;
    private readonly ConcurrentDictionary<string, (Infra.FluidstackInfrastructureClient Plain, Infra.FluidstackInfrastructureClient Tolerant)> _regional = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _regionLock = new(1, 1);
    private (IReadOnlyDictionary<string, Uri> Regions, DateTimeOffset Expires)? _regions;

    /// <summary>Creates the provider.</summary>
    /// <param name="options">The token and settings.</param>
    /// <param name="handler">The HTTP handler to send requests through; by default a new <see cref="SocketsHttpHandler"/>. A handler given here is not disposed.</param>
    /// <param name="timeProvider">The clock for the region cache; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where items of a provider list that cannot be read are reported (at warning) when they are left out.</param>
    /// <exception cref="ArgumentException">No token or client credentials, a malformed secret, or a management or token URL that is not HTTPS (loopback excepted).</exception>
    public FluidstackProvider(FluidstackOptions options, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var management = options.ManagementUrl;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        var inner = handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) };
        _tokens = new FluidstackTokenSource(options, inner, _time);
        var auth = new FluidstackBearerHandler(_tokens) { InnerHandler = inner };
        // A handler we were given belongs to the caller (e.g. IHttpClientFactory): never dispose it.
        _http = new HttpClient(auth, disposeHandler: handler is null) { Timeout = options.RequestTimeout };
        _management = new Mgmt.FluidstackManagementClient(_http) { BaseUrl = management.ToString().TrimEnd('/') };
        _logger = logger ?? NullLogger.Instance;
        _tolerantManagement = new Mgmt.FluidstackManagementClient(_http) { BaseUrl = _management.BaseUrl };
        _tolerantManagement.SkipUnreadableListItems(ListItems.Reporter(_logger, ProviderName));
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
            var listed = await Call(() => List(_management, _tolerantManagement, c => c.ListRegionsAsync(ct)), ct).ConfigureAwait(false) ?? [];
            var regions = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in listed)
            {
                if (string.IsNullOrWhiteSpace(r.Name) || !Uri.TryCreate(r.Url, UriKind.Absolute, out var url)) continue;
                if (_options.Regions.Count > 0 && !_options.Regions.Contains(r.Name, StringComparer.OrdinalIgnoreCase)) continue;
                regions[r.Name] = url;
            }
            _regions = (regions, _time.GetUtcNow() + _options.RegionCacheDuration);
            // A region's URL may have moved: build its client again from the fresh list.
            _regional.Clear();
            return regions;
        }
        finally
        {
            _regionLock.Release();
        }
    }

    private async Task<Infra.FluidstackInfrastructureClient> RegionalAsync(string region, CancellationToken ct) =>
        (await RegionalPairAsync(region, ct).ConfigureAwait(false)).Plain;

    private async Task<(Infra.FluidstackInfrastructureClient Plain, Infra.FluidstackInfrastructureClient Tolerant)> RegionalPairAsync(string region, CancellationToken ct)
    {
        if (_regional.TryGetValue(region, out var client)) return client;
        var regions = await RegionsAsync(ct).ConfigureAwait(false);
        if (!regions.TryGetValue(region, out var url))
            throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"fluidstack: no region named '{EndpointRules.Printable(region)}' (known: {string.Join(", ", regions.Keys)}).", Name);
        Uri checkedUrl;
        try
        {
            // A region URL comes from the API: the bearer token must still never leave over plain HTTP.
            checkedUrl = EndpointRules.RequireHttps(url, $"region {region} url");
        }
        catch (ArgumentException ex)
        {
            throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, $"fluidstack: {ex.Message}", Name, ex);
        }
        return _regional.GetOrAdd(region, _ =>
        {
            var baseUrl = checkedUrl.ToString().TrimEnd('/') + "/api/v1alpha1";
            var tolerant = new Infra.FluidstackInfrastructureClient(_http) { BaseUrl = baseUrl };
            tolerant.SkipUnreadableListItems(ListItems.Reporter(_logger, ProviderName));
            return (new Infra.FluidstackInfrastructureClient(_http) { BaseUrl = baseUrl }, tolerant);
        });
    }

    private Guid RequireProject() => _options.ProjectId
        ?? throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
            "fluidstack: instances need a project: set FluidstackOptions.ProjectId (FLUIDSTACK_PROJECT_ID).", Name) { Field = "Fluidstack.ProjectId" };

    /// <inheritdoc />
    public async Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Workload is { } w && w != WorkloadType.VirtualMachine) return PlanSearchResult.Empty;
        var regions = await RegionsAsync(cancellationToken).ConfigureAwait(false);
        var results = await Task.WhenAll(regions.Keys.Select(r => RegionPlansAsync(r, cancellationToken))).ConfigureAwait(false);
        var failures = results.Where(r => r.Error is not null).Select(r => new ProviderFailure(Name, r.Region, r.Error!)).ToArray();
        return new PlanSearchResult(results.SelectMany(r => r.Plans).ToArray(), failures);
    }

    private async Task<(string Region, IReadOnlyList<GpuPlan> Plans, GpuCloudException? Error)> RegionPlansAsync(string region, CancellationToken ct)
    {
        try
        {
            var (api, tolerant) = await RegionalPairAsync(region, ct).ConfigureAwait(false);
            var types = Call(() => List(api, tolerant, c => c.ListInstanceTypesAsync(ct)), ct);
            var capacity = _options.ProjectId is { } project ? Call(() => List(api, tolerant, c => c.ListCapacityAsync(project, ct)), ct) : null;
            var typeList = await types.ConfigureAwait(false) ?? [];
            IReadOnlyDictionary<string, int>? available = null;
            if (capacity is not null)
            {
                available = (await capacity.ConfigureAwait(false) ?? [])
                    .Where(c => c.Name is not null)
                    .GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => (int)Math.Clamp(g.Sum(c => (long)c.Capacity), 0, int.MaxValue), StringComparer.OrdinalIgnoreCase);
            }
            var plans = ListItems.MapEach(typeList.Where(t => !string.IsNullOrWhiteSpace(t?.Name)), t => FluidstackMapping.Plan(region, t, _options, available),
                t => t.Name, _logger, Name, "instance type").ToArray();
            return (region, plans, null);
        }
        catch (GpuCloudException ex)
        {
            return (region, [], ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One region's odd answer must not take the other regions' plans with it.
            return (region, [], new GpuCloudException(GpuCloudErrorCode.InvalidResponse, $"fluidstack: region {region}: {ex.Message}", Name, ex));
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default)
    {
        var project = RequireProject();
        var listed = await Call(() => List(_management, _tolerantManagement, c => c.ListInstancesAsync(project, cancellationToken)), cancellationToken).ConfigureAwait(false) ?? [];
        var regions = _options.Regions;
        return ListItems.MapEach(listed.Where(i => i is not null && (regions.Count == 0 || regions.Contains(i.Region, StringComparer.OrdinalIgnoreCase))),
            i => FluidstackMapping.Instance(i, _options), i => i.Id.ToString(), _logger, Name, "instance").ToArray();
    }

    /// <inheritdoc />
    public async Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var (region, id) = SplitInstanceId(instanceId);
        var project = RequireProject();
        var api = await RegionalAsync(region, cancellationToken).ConfigureAwait(false);
        var instance = await Call(() => api.GetInstanceAsync(project, id, cancellationToken), cancellationToken).ConfigureAwait(false);
        return FluidstackMapping.Instance(region, instance, _options);
    }

    /// <inheritdoc />
    public async Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Plan is { } given && !string.Equals(given.Provider, Name, StringComparison.OrdinalIgnoreCase))
            throw GpuCloudException.Invalid(nameof(request.Plan), $"the plan belongs to {given.Provider}, not {Name}.", Name);
        var planId = request.TargetPlanId ?? throw GpuCloudException.Invalid(nameof(request.PlanId), "a plan is required.", Name);
        if (FluidstackMapping.SplitId(planId) is not var (region, type))
            throw GpuCloudException.Invalid(nameof(request.PlanId), $"'{EndpointRules.Printable(planId)}' is not a Fluidstack plan id (region/instance-type).", Name);
        EndpointRules.RequireSafeId(region, nameof(request.PlanId), Name);
        EndpointRules.RequireSafeId(type, nameof(request.PlanId), Name);
        var keys = FluidstackValidation.Validate(request, region);
        var userData = FluidstackMapping.UserData(request.UserData, keys);
        var project = RequireProject();

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
        var created = await Call(() => api.CreateInstanceAsync(project, body, cancellationToken), cancellationToken).ConfigureAwait(false)
            ?? throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, "fluidstack: the create response was empty.", Name);
        return FluidstackMapping.Instance(region, created, _options);
    }

    /// <inheritdoc />
    public async Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        var (region, id) = SplitInstanceId(instanceId);
        var project = RequireProject();
        var api = await RegionalAsync(region, cancellationToken).ConfigureAwait(false);
        try
        {
            await CallNoContent(() => api.DeleteInstanceAsync(project, id, cancellationToken), cancellationToken).ConfigureAwait(false);
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
        var project = RequireProject();
        var api = await RegionalAsync(region, ct).ConfigureAwait(false);
        await CallNoContent(() => start ? api.StartInstanceAsync(project, id, ct) : api.StopInstanceAsync(project, id, ct), ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) =>
        ListItems.MapEach(await Call(() => List(_management, _tolerantManagement, c => c.ListKeysAsync(cancellationToken)), cancellationToken).ConfigureAwait(false),
            FluidstackMapping.Key, k => k.Name, _logger, Name, "SSH key").ToArray();

    /// <inheritdoc />
    public async Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        FluidstackValidation.RequireName(name, nameof(name));
        var existing = await FindKeyAsync(publicKey, cancellationToken).ConfigureAwait(false);
        if (existing is not null) return existing;
        try
        {
            await CallNoContent(() => _management.RegisterKeyAsync(new Mgmt.SSHKey { Name = name, Key = publicKey.ToString() }, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.Conflict)
        {
            var found = await FindKeyAsync(publicKey, cancellationToken).ConfigureAwait(false);
            if (found is null) throw;
            return found;
        }
        return await FindKeyAsync(publicKey, cancellationToken).ConfigureAwait(false)
            ?? FluidstackMapping.Key(new Mgmt.SSHKey { Name = name, Key = publicKey.ToString() });
    }

    private async Task<SshKey?> FindKeyAsync(SshPublicKey key, CancellationToken ct) =>
        (await ListSshKeysAsync(ct).ConfigureAwait(false)).FirstOrDefault(k => k.Fingerprint == key.Fingerprint);

    /// <inheritdoc />
    public async Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        FluidstackValidation.RequireName(keyId, nameof(keyId));
        try
        {
            await CallNoContent(() => _management.DeregisterKeyAsync(keyId, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (GpuCloudException ex) when (ex.Code == GpuCloudErrorCode.NotFound)
        {
        }
    }

    private (string Region, Guid Id) SplitInstanceId(string instanceId)
    {
        if (instanceId is not null && FluidstackMapping.SplitId(instanceId) is var (region, local) && Guid.TryParse(local, out var id))
            return (EndpointRules.RequireSafeId(region, nameof(instanceId), Name), id);
        throw GpuCloudException.Invalid(nameof(instanceId), $"'{EndpointRules.Printable(instanceId ?? "")}' is not a Fluidstack instance id (region/uuid).", Name);
    }

    /// <summary>A list read: plain first, item by item only when the plain answer cannot be read (see <see cref="ListItems"/>).</summary>
    private static Task<T> List<TClient, T>(TClient plain, TClient tolerant, Func<TClient, Task<T>> read) =>
        ListItems.ReadAsync(() => read(plain), () => read(tolerant), static ex => ex is
            Mgmt.FluidstackManagementApiException { StatusCode: >= 200 and < 300, InnerException: Newtonsoft.Json.JsonException }
            or Infra.FluidstackInfrastructureApiException { StatusCode: >= 200 and < 300, InnerException: Newtonsoft.Json.JsonException });

    private static Task<T> Call<T>(Func<Task<T>> call, CancellationToken ct) => ErrorTranslation.CallAsync(call, FluidstackErrors.Translate, ct);

    private static Task CallNoContent(Func<Task> call, CancellationToken ct) =>
        ErrorTranslation.CallNoContentAsync(call,
            ex => ex is Mgmt.FluidstackManagementApiException { StatusCode: >= 200 and < 300 } or Infra.FluidstackInfrastructureApiException { StatusCode: >= 200 and < 300 },
            FluidstackErrors.Translate, ct);

    /// <summary>Disposes the HTTP client, and its handler when the provider created it.</summary>
    public void Dispose()
    {
        _http.Dispose();
        _tokens.Dispose();
        _regionLock.Dispose();
    }
}
