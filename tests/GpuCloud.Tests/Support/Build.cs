namespace GpuCloud.Tests.Support;

/// <summary>Builders for records and for providers wired to a <see cref="RecordingHttp"/>.</summary>
internal static class Build
{
    public const string FluenceKey = "test-fluence-key";
    public const string FluidstackToken = "test-token";

    public static FluenceProvider Fluence(RecordingHttp http) =>
        new(new FluenceOptions { ApiKey = FluenceKey, BaseUrl = new Uri(FluenceJson.Base) }, http.Handler);

    public static FluidstackOptions FluidstackOptions(Guid? projectId = null, bool withProject = true) => new()
    {
        Token = FluidstackToken,
        ProjectId = withProject ? projectId ?? FluidstackJson.ProjectId : null,
        PricePerHour = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase) { ["h100-hgx-80gb.8x"] = 23.92m },
    };

    public static FluidstackProvider Fluidstack(RecordingHttp http, TimeProvider? time = null, FluidstackOptions? options = null) =>
        new(options ?? FluidstackOptions(), http.Handler, time ?? new FakeTimeProvider());

    public static GpuSpec Gpu(string model, int count = 1, double? memory = 80, GpuInterconnect link = GpuInterconnect.SXM) =>
        new("nvidia", model, memory, link, count) { IsKnownModel = true };

    public static GpuPlan Plan(string provider, string id, decimal? price, GpuSpec? gpu = null, WorkloadType workload = WorkloadType.VirtualMachine,
        PlanAvailability availability = PlanAvailability.Unknown, params string[] locations) => new()
    {
        Provider = provider,
        Id = id,
        Name = "plan " + id,
        Workload = workload,
        Gpu = gpu ?? Gpu("H100"),
        PricePerHour = price,
        Currency = price is null ? null : "USD",
        Availability = availability,
        Locations = locations,
    };

    public static GpuInstance Instance(string provider, string id, InstanceState state, bool reachable = false,
        GpuCloudErrorCode? failure = null, string? providerState = null) => new()
    {
        Provider = provider,
        Id = id,
        Name = "name-" + id,
        State = state,
        ProviderState = providerState ?? state.ToString().ToLowerInvariant(),
        FailureReason = failure,
        Workload = WorkloadType.VirtualMachine,
        Ssh = reachable ? new SshEndpoint("10.0.0.2", 22, "ubuntu") : null,
    };

    public static GpuCloudException Error(GpuCloudErrorCode code, string provider = "alpha") =>
        new(code, code.ToString(), provider);
}

/// <summary>Records progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
public sealed class ProgressRecorder<T> : IProgress<T>
{
    private readonly List<T> _items = [];

    public IReadOnlyList<T> Items
    {
        get { lock (_items) return _items.ToArray(); }
    }

    public void Report(T value)
    {
        lock (_items) _items.Add(value);
    }
}
