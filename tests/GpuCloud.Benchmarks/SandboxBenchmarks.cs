using BenchmarkDotNet.Attributes;
using GpuCloud.Generated.Fluence;
using GpuCloud;
using GpuCloud.Sandbox;

namespace GpuCloud.Benchmarks;

/// <summary>
/// Fan-out: one <c>ListPlansAsync</c> over Fluence's three plan endpoints and Fluidstack's regions, each call delayed
/// 100 ms by the sandbox, against one raw call with the same delay. The facade should take about as long as one call.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private SandboxServer _sandbox = null!;
    private GpuCloudClient _facade = null!;
    private HttpClient _http = null!;
    private FluenceClient _raw = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        _facade = Clients.Facade(_sandbox);
        // Warm the token and the region list (cached for minutes in real use), then add the latency.
        await _facade.ListPlansAsync();
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = TimeSpan.FromMilliseconds(100) });
        _http = new HttpClient();
        _http.DefaultRequestHeaders.Add("X-API-KEY", _sandbox.FluenceApiKey);
        _raw = new FluenceClient(_http) { BaseUrl = _sandbox.FluenceBaseUrl.ToString().TrimEnd('/') };
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _facade.Dispose();
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> OneCall_Raw() => (await _raw.ListContainerPlansAsync()).Count;

    [Benchmark]
    public async Task<int> AllProviders_Facade()
    {
        var result = await _facade.ListPlansAsync();
        return result.Failures.Count == 0 ? result.Plans.Count : throw new InvalidOperationException(result.Failures[0].Error.Message);
    }
}

/// <summary>Throughput: 64 concurrent callers doing 2,048 <c>GetInstanceAsync</c> calls against the sandbox, facade against raw client.</summary>
[MemoryDiagnoser]
public class ThroughputBenchmarks
{
    private const int Callers = 64;
    private const int Calls = 2048;

    private SandboxServer _sandbox = null!;
    private GpuCloudClient _facade = null!;
    private HttpClient _http = null!;
    private FluenceClient _raw = null!;
    private GpuInstance _instance = null!;
    private GpuCloudClient _bare = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { ProvisioningDelay = TimeSpan.Zero });
        _facade = Clients.Facade(_sandbox);
        var plan = (await _facade.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container })).Plans[0];
        _instance = await _facade.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan,
            Name = "throughput",
            Container = new GpuCloud.ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
        });
        _bare = Clients.Facade(_sandbox, resilience: false);
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue });
        _http.DefaultRequestHeaders.Add("X-API-KEY", _sandbox.FluenceApiKey);
        _raw = new FluenceClient(_http) { BaseUrl = _sandbox.FluenceBaseUrl.ToString().TrimEnd('/') };
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _facade.Dispose();
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public Task Raw() => Run(() => _raw.GetContainerInstanceAsync(_instance.Id["container:".Length..]));

    [Benchmark(OperationsPerInvoke = Calls)]
    public Task Facade() => Run(() => _facade.GetInstanceAsync(_instance.Provider, _instance.Id));

    [Benchmark(OperationsPerInvoke = Calls)]
    public Task FacadeNoResilience() => Run(() => _bare.GetInstanceAsync(_instance.Provider, _instance.Id));

    private static Task Run<T>(Func<Task<T>> call) => Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
    {
        for (var i = 0; i < Calls / Callers; i++) await call();
    }));
}

internal static class Clients
{
    public static GpuCloudClient Facade(SandboxServer sandbox, bool resilience = true) =>
        new(new GpuCloudOptions { Resilience = { Enabled = resilience } }.ConnectTo(sandbox));
}
