using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using GpuCloud.Generated.Fluence;
using GpuCloud.Generated.Fluidstack.Infrastructure;
using GpuCloud;
using GpuCloud.Providers;
using Newtonsoft.Json;

namespace GpuCloud.Benchmarks;

/// <summary>
/// In-process costs (canned responses, no network): the facade against the raw generated client and a
/// hand-written HttpClient + Newtonsoft call, the floor. The facade's extra work is mapping to normalized records.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class InProcessBenchmarks
{
    private const string FluenceBase = "https://api.fluence.dev";
    private const string RegionUrl = "https://eu-north-1.atlas.fluidstack.io";
    private const string InstanceId = "b54672e2-0a8b-490f-81ee-7d5a868471fc";

    private HttpClient _http = null!;
    private FluenceClient _rawFluence = null!;
    private FluenceClient _rawOverResilience = null!;
    private HttpClient _resilientHttp = null!;
    private FluidstackInfrastructureClient _rawFluidstack = null!;
    private FluidstackInfrastructureClient _rawFluidstackOverResilience = null!;
    private GpuCloudClient _facade = null!;
    private FluidstackProvider _fluidstack = null!;
    private GpuCloudClient _noResilience = null!;
    private readonly JsonSerializer _serializer = JsonSerializer.CreateDefault();
    private static readonly PlanQuery VmPlans = new() { Workload = WorkloadType.VirtualMachine };

    [GlobalSetup]
    public void Setup()
    {
        var handler = new CannedHandler(new Dictionary<string, byte[]>
        {
            ["/gpu/plans/vms"] = Payloads.FluenceVmPlans(5000),
            ["/gpu/instances/"] = Payloads.FluenceInstances(1000),
            ["/gpu/instances/vms"] = "[]"u8.ToArray(),
            ["/gpu/instances/baremetal"] = "[]"u8.ToArray(),
            ["/gpu/instances/" + InstanceId] = Payloads.FluenceInstanceDetail(InstanceId),
            ["/api/v1alpha1/regions"] = Payloads.FluidstackRegions(RegionUrl),
            ["/api/v1alpha1/instance-types"] = Payloads.FluidstackInstanceTypes(200),
        });
        _http = new HttpClient(handler);
        _rawFluence = new FluenceClient(_http) { BaseUrl = FluenceBase };
        _rawFluidstack = new FluidstackInfrastructureClient(_http) { BaseUrl = RegionUrl + "/api/v1alpha1" };
        // The raw client over the same resilience handler the facade uses: the facade's own cost on one HTTP stack.
        _resilientHttp = new HttpClient(new GpuCloudResilienceHandler("fluence", new GpuCloudResilienceOptions()) { InnerHandler = handler });
        _rawOverResilience = new FluenceClient(_resilientHttp) { BaseUrl = FluenceBase };
        _rawFluidstackOverResilience = new FluidstackInfrastructureClient(_resilientHttp) { BaseUrl = RegionUrl + "/api/v1alpha1" };
        // The facade as users get it: each provider over the resilience handler (retries, timeouts, circuit breaker).
        var fluence = new FluenceProvider(new FluenceOptions { ApiKey = "benchmark-key", BaseUrl = new Uri(FluenceBase) },
            new GpuCloudResilienceHandler("fluence", new GpuCloudResilienceOptions()) { InnerHandler = handler });
        _fluidstack = new FluidstackProvider(new FluidstackOptions { Token = "benchmark-token" },
            new GpuCloudResilienceHandler("fluidstack", new GpuCloudResilienceOptions()) { InnerHandler = handler });
        _facade = new GpuCloudClient(new IGpuCloudProvider[] { fluence, _fluidstack });
        // The same without the resilience handler, to show what it costs.
        _noResilience = new GpuCloudClient(new IGpuCloudProvider[] { new FluenceProvider(new FluenceOptions { ApiKey = "benchmark-key", BaseUrl = new Uri(FluenceBase) }, handler) });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _facade.Dispose();
        _noResilience.Dispose();
        _resilientHttp.Dispose();
        _http.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("VmPlans5000")]
    public async Task<int> VmPlans_Raw() => (await _rawFluence.ListVmPlansAsync()).Data.Count;

    [Benchmark, BenchmarkCategory("VmPlans5000")]
    public async Task<int> VmPlans_RawOverResilience() => (await _rawOverResilience.ListVmPlansAsync()).Data.Count;

    [Benchmark, BenchmarkCategory("VmPlans5000")]
    public async Task<int> VmPlans_Facade() => (await _facade.ListPlansAsync(VmPlans with { Providers = ["fluence"] })).Plans.Count;

    /// <summary>The same list filtered by GPU model: every plan's GPU is compared with the filter.</summary>
    [Benchmark, BenchmarkCategory("VmPlans5000")]
    public async Task<int> VmPlans_Facade_GpuFilter() =>
        (await _facade.ListPlansAsync(VmPlans with { Providers = ["fluence"], GpuModels = ["h100"] })).Plans.Count;

    [Benchmark, BenchmarkCategory("VmPlans5000")]
    public async Task<int> VmPlans_HandWritten() => (await GetAsync<HandWritten.VmPlanList>(FluenceBase + "/gpu/plans/vms")).Data!.Count;

    [Benchmark(Baseline = true), BenchmarkCategory("Instances1000")]
    public async Task<int> Instances_Raw()
    {
        var containers = await _rawFluence.ListContainerInstancesAsync();
        var vms = await _rawFluence.ListVmInstancesAsync();
        var metal = await _rawFluence.ListBareMetalInstancesAsync();
        return containers.Count + vms.Count + metal.Count;
    }

    [Benchmark, BenchmarkCategory("Instances1000")]
    public async Task<int> Instances_RawOverResilience()
    {
        var containers = await _rawOverResilience.ListContainerInstancesAsync();
        var vms = await _rawOverResilience.ListVmInstancesAsync();
        var metal = await _rawOverResilience.ListBareMetalInstancesAsync();
        return containers.Count + vms.Count + metal.Count;
    }

    [Benchmark, BenchmarkCategory("Instances1000")]
    public async Task<int> Instances_Facade() => (await _facade.ListInstancesAsync("fluence")).Count;

    [Benchmark, BenchmarkCategory("Instances1000")]
    public async Task<int> Instances_HandWritten() => (await GetAsync<List<HandWritten.Instance>>(FluenceBase + "/gpu/instances/")).Count;

    [Benchmark(Baseline = true), BenchmarkCategory("GetInstance")]
    public async Task<string?> GetInstance_Raw() => (await _rawFluence.GetContainerInstanceAsync(InstanceId)).Instance_status;

    [Benchmark, BenchmarkCategory("GetInstance")]
    public async Task<string?> GetInstance_RawOverResilience() => (await _rawOverResilience.GetContainerInstanceAsync(InstanceId)).Instance_status;

    [Benchmark, BenchmarkCategory("GetInstance")]
    public async Task<string> GetInstance_Facade() => (await _facade.GetInstanceAsync("fluence", "container:" + InstanceId)).ProviderState;

    [Benchmark, BenchmarkCategory("GetInstance")]
    public async Task<string> GetInstance_FacadeNoResilience() => (await _noResilience.GetInstanceAsync("fluence", "container:" + InstanceId)).ProviderState;

    [Benchmark, BenchmarkCategory("GetInstance")]
    public async Task<string?> GetInstance_HandWritten() => (await GetAsync<HandWritten.Instance>(FluenceBase + "/gpu/instances/" + InstanceId)).InstanceStatus;

    [Benchmark(Baseline = true), BenchmarkCategory("InstanceTypes200")]
    public async Task<int> InstanceTypes_Raw() => (await _rawFluidstack.ListInstanceTypesAsync()).Count;

    [Benchmark, BenchmarkCategory("InstanceTypes200")]
    public async Task<int> InstanceTypes_RawOverResilience() => (await _rawFluidstackOverResilience.ListInstanceTypesAsync()).Count;

    [Benchmark, BenchmarkCategory("InstanceTypes200")]
    public async Task<int> InstanceTypes_Facade() => (await _fluidstack.ListPlansAsync(new PlanQuery())).Plans.Count;

    [Benchmark, BenchmarkCategory("InstanceTypes200")]
    public async Task<int> InstanceTypes_HandWritten() => (await GetAsync<List<HandWritten.InstanceType>>(RegionUrl + "/api/v1alpha1/instance-types")).Count;

    private async Task<T> GetAsync<T>(string url)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new JsonTextReader(new StreamReader(stream));
        return _serializer.Deserialize<T>(reader)!;
    }
}

/// <summary>The smallest DTOs a hand-written client would declare for the same calls.</summary>
internal static class HandWritten
{
    public sealed class VmPlanList { [JsonProperty("data")] public List<Group>? Data { get; set; } }

    public sealed class Group
    {
        [JsonProperty("gpu_model")] public Gpu? GpuModel { get; set; }
        [JsonProperty("availability_by_number")] public List<ByCount>? AvailabilityByNumber { get; set; }
    }

    public sealed class Gpu
    {
        [JsonProperty("model")] public string? Model { get; set; }
        [JsonProperty("vram")] public string? Vram { get; set; }
        [JsonProperty("interface")] public string? Interface { get; set; }
    }

    public sealed class ByCount
    {
        [JsonProperty("gpu_count")] public int GpuCount { get; set; }
        [JsonProperty("options")] public List<Option>? Options { get; set; }
    }

    public sealed class Option
    {
        [JsonProperty("id")] public string? Id { get; set; }
        [JsonProperty("location")] public string? Location { get; set; }
        [JsonProperty("pricing")] public Pricing? Pricing { get; set; }
        [JsonProperty("os_options")] public List<string>? OsOptions { get; set; }
    }

    public sealed class Pricing { [JsonProperty("hour")] public decimal Hour { get; set; } }

    public sealed class Instance
    {
        [JsonProperty("id")] public string? Id { get; set; }
        [JsonProperty("name")] public string? Name { get; set; }
        [JsonProperty("instance_status")] public string? InstanceStatus { get; set; }
    }

    public sealed class InstanceType
    {
        [JsonProperty("name")] public string? Name { get; set; }
        [JsonProperty("gpuModel")] public string? GpuModel { get; set; }
        [JsonProperty("gpuCount")] public int? GpuCount { get; set; }
    }
}
