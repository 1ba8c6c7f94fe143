using System.Collections.Concurrent;
using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;
using Mgmt = GpuCloud.Generated.Fluidstack.Management;

namespace GpuCloud.Providers;

/// <summary>
/// Fluidstack's directory of regions and projects: the regions the Management API lists (those the options allow),
/// each region's Infrastructure client, and each region's project, configured or discovered. Everything is cached
/// for <see cref="FluidstackOptions.RegionCacheDuration"/> and refreshed together.
/// </summary>
internal sealed class FluidstackRegions : IDisposable
{
    private const string Provider = FluidstackErrors.Provider;

    private readonly FluidstackOptions _options;
    private readonly ProviderClient<Mgmt.FluidstackManagementClient> _management;
    private readonly Func<string, ProviderClient<Infra.FluidstackInfrastructureClient>> _newClient;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ProviderClient<Infra.FluidstackInfrastructureClient>> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private (IReadOnlyDictionary<string, Uri> Regions, DateTimeOffset Expires)? _regions;
    // What each region's /projects said, for as long as the region list is cached: its one project, or why there is none
    // to use (several, none, or the call refused). A transient failure is not remembered.
    private readonly ConcurrentDictionary<string, (Guid Id, GpuCloudException? Problem)> _discovered = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="options">The allowed regions, the configured projects and the cache duration.</param>
    /// <param name="management">Where the regions are listed.</param>
    /// <param name="newClient">Builds the Infrastructure client for a region's API base (already checked to be HTTPS).</param>
    /// <param name="time">The clock of the cache.</param>
    public FluidstackRegions(FluidstackOptions options, ProviderClient<Mgmt.FluidstackManagementClient> management,
        Func<string, ProviderClient<Infra.FluidstackInfrastructureClient>> newClient, TimeProvider time)
    {
        _options = options;
        _management = management;
        _newClient = newClient;
        _time = time;
    }

    /// <summary>The names of the regions in use.</summary>
    public async Task<IReadOnlyCollection<string>> NamesAsync(CancellationToken ct) => [.. (await RegionsAsync(ct).ConfigureAwait(false)).Keys];

    /// <summary>The region's client and project, for a call about one instance of the region.</summary>
    public async Task<(ProviderClient<Infra.FluidstackInfrastructureClient> Api, Guid Project)> ResolveAsync(string region, CancellationToken ct)
    {
        var project = await ProjectAsync(region, ct).ConfigureAwait(false);
        return (await ClientAsync(region, ct).ConfigureAwait(false), project);
    }

    /// <summary>The Infrastructure client of <paramref name="region"/>.</summary>
    public async Task<ProviderClient<Infra.FluidstackInfrastructureClient>> ClientAsync(string region, CancellationToken ct)
    {
        if (_clients.TryGetValue(region, out var client)) return client;
        var regions = await RegionsAsync(ct).ConfigureAwait(false);
        if (!regions.TryGetValue(region, out var url))
            throw new GpuCloudException(GpuCloudErrorCode.NotFound, $"no region named '{InputRules.Printable(region)}' (known: {string.Join(", ", regions.Keys)}).", Provider);
        Uri checkedUrl;
        try
        {
            // A region URL comes from the API: the bearer token must still never leave over plain HTTP.
            checkedUrl = InputRules.RequireHttps(url, $"region {region} url");
        }
        catch (ArgumentException ex)
        {
            throw new GpuCloudException(GpuCloudErrorCode.InvalidResponse, ex.Message, Provider, ex);
        }
        return _clients.GetOrAdd(region, _ => _newClient(checkedUrl.ToString().TrimEnd('/') + "/api/v1alpha1"));
    }

    /// <summary>The project configured for <paramref name="region"/> (by region, else for all regions), if any.</summary>
    public Guid? ConfiguredProject(string region)
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
    public async Task<Guid> ProjectAsync(string region, CancellationToken ct)
    {
        if (ConfiguredProject(region) is { } configured) return configured;
        if (_discovered.TryGetValue(region, out var known)) return known.Problem is { } problem ? throw problem : known.Id;
        try
        {
            var id = await DiscoverProjectAsync(region, ct).ConfigureAwait(false);
            _discovered[region] = (id, null);
            return id;
        }
        catch (GpuCloudException ex) when (!ex.IsTransient)
        {
            _discovered[region] = (Guid.Empty, ex);
            throw;
        }
    }

    /// <summary>
    /// Every region in use with its project; a region without one is left out. Throws the first region's reason when
    /// no region has a project.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Guid>> ProjectsAsync(CancellationToken ct)
    {
        var byRegion = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        GpuCloudException? missing = null;
        foreach (var region in (await RegionsAsync(ct).ConfigureAwait(false)).Keys)
        {
            try
            {
                byRegion[region] = await ProjectAsync(region, ct).ConfigureAwait(false);
            }
            catch (GpuCloudException ex)
            {
                missing ??= ex;
            }
        }
        if (byRegion.Count == 0)
            throw missing ?? new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
                "instances need a project: set FluidstackOptions.ProjectId or ProjectIds (FLUIDSTACK_PROJECT_ID).", Provider) { Field = "Fluidstack.ProjectId" };
        return byRegion;
    }

    private async Task<Guid> DiscoverProjectAsync(string region, CancellationToken ct)
    {
        var api = await ClientAsync(region, ct).ConfigureAwait(false);
        var projects = (await api.ListAsync(c => c.ListProjectsAsync(ct), ct).ConfigureAwait(false) ?? [])
            .Where(p => p is not null && p.Id != Guid.Empty).ToArray();
        if (projects.Length != 1)
            throw new GpuCloudException(GpuCloudErrorCode.InvalidRequest,
                $"region {region} has {(projects.Length == 0 ? "no project" : $"{projects.Length} projects ({string.Join(", ", projects.Select(p => $"{p.Name} {p.Id}"))})")}: "
                + $"set FluidstackOptions.ProjectIds[\"{region}\"] (FLUIDSTACK_PROJECT_ID={region}=<uuid>).", Provider) { Field = "Fluidstack.ProjectIds" };
        return projects[0].Id;
    }

    /// <summary>Region name to regional API base, from the Management API, cached for <see cref="FluidstackOptions.RegionCacheDuration"/>.</summary>
    private async Task<IReadOnlyDictionary<string, Uri>> RegionsAsync(CancellationToken ct)
    {
        if (_regions is { } cached && cached.Expires > _time.GetUtcNow()) return cached.Regions;
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_regions is { } again && again.Expires > _time.GetUtcNow()) return again.Regions;
            var listed = await _management.ListAsync(c => c.ListRegionsAsync(ct), ct).ConfigureAwait(false) ?? [];
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
            _clients.Clear();
            _discovered.Clear();
            return regions;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();
}
