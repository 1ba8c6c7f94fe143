using GpuCloud.Testing;
using Microsoft.Extensions.Logging;
using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

/// <summary>
/// The detail reads that complete a list (see ListCompletion): a few at a time, and stopped by the caller's token.
/// Each detail read is held at a gate the test opens, so what is in flight is known without timing anything.
/// </summary>
public partial class FluenceProviderTests
{
    private static readonly string[] SixLive = Enumerable.Range(1, 6).Select(i => $"00000000-0000-4000-8000-00000000000{i}").ToArray();

    private static RecordingHttp SixLiveContainers(HttpStatusCode detailStatus = HttpStatusCode.OK)
    {
        var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl, "[" + string.Join(",", SixLive.Select((id, i) => ContainerInstance(id, $"box-{i}", "ACTIVE"))) + "]");
        http.Json(HttpMethod.Get, VmInstancesUrl, "[]");
        http.Json(HttpMethod.Get, BareMetalInstancesUrl, "[]");
        foreach (var id in SixLive)
        {
            if (detailStatus == HttpStatusCode.OK) http.Json(HttpMethod.Get, ContainerInstancesUrl + id, ContainerDetail(id: id));
            else http.Raw(HttpMethod.Get, ContainerInstancesUrl + id, detailStatus, """{"detail": "upstream hiccup"}""");
        }
        return http;
    }

    [Test]
    public async Task ListInstances_ReadsAtMostFourDetailsAtOnce()
    {
        using var http = SixLiveContainers();
        using var gate = new DetailGate(honourCancellation: true) { InnerHandler = http.Handler };
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(Base) }, gate);

        var listing = fluence.ListInstancesAsync();
        await HangGuard.WithinAsync(gate.InFlightReached(4), "four detail reads in flight");
        gate.Open();
        var instances = await HangGuard.WithinAsync(listing, "the list");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances.Select(i => i.Ssh), Has.All.Not.Null, "every row completed");
            Assert.That(gate.MostInFlight, Is.EqualTo(4));
        }
    }

    [Test]
    public async Task ListInstances_CancelledDuringTheDetailReads_EndsCancelled_WithoutWarnings()
    {
        using var http = SixLiveContainers();
        using var gate = new DetailGate(honourCancellation: true) { InnerHandler = http.Handler };
        using var logs = new TestLogs();
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(Base) }, gate, logs.CreateLogger("test"));

        // Were the reads not told of the cancellation, opening the gate would let them finish and the list succeed.
        var listing = await CancelOnceAReadIsInFlightAsync(fluence, gate);

        Assert.CatchAsync<OperationCanceledException>(() => HangGuard.WithinAsync(listing, "the list"));
        Assert.That(logs.Records.Where(r => r.Level >= LogLevel.Warning).Select(r => r.Message), Is.Empty,
            "a cancelled read is not a row left incomplete");
    }

    [Test]
    public async Task ListInstances_CancelledWhileDetailReadsFail_EndsCancelled()
    {
        // The failing reads answer after the caller cancelled: the cancellation is what the caller sees, not a read's error.
        using var http = SixLiveContainers(HttpStatusCode.BadGateway);
        using var gate = new DetailGate(honourCancellation: false) { InnerHandler = http.Handler };
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(Base) }, gate);

        var listing = await CancelOnceAReadIsInFlightAsync(fluence, gate);

        Assert.CatchAsync<OperationCanceledException>(() => HangGuard.WithinAsync(listing, "the list"));
    }

    /// <summary>Starts a list, cancels it once a detail read is held at the gate, then opens the gate; returns the list.</summary>
    private static async Task<Task<IReadOnlyList<GpuInstance>>> CancelOnceAReadIsInFlightAsync(FluenceProvider fluence, DetailGate gate)
    {
        using var cts = new CancellationTokenSource();
        var listing = fluence.ListInstancesAsync(cts.Token);
        await HangGuard.WithinAsync(gate.InFlightReached(1), "a detail read in flight");
        await cts.CancelAsync();
        gate.Open();
        return listing;
    }

    /// <summary>Holds every detail read (a GET of one instance) until <see cref="Open"/>, counting those in flight.</summary>
    private sealed class DetailGate(bool honourCancellation) : DelegatingHandler
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _lock = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private int _inFlight;

        public int MostInFlight { get; private set; }

        public void Open() => _open.TrySetResult();

        public Task InFlightReached(int count)
        {
            lock (_lock)
            {
                if (MostInFlight >= count) return Task.CompletedTask;
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.StartsWith("/gpu/instances/", StringComparison.Ordinal) && path.Length > "/gpu/instances/".Length && !path.EndsWith("/vms", StringComparison.Ordinal)
                && !path.EndsWith("/baremetal", StringComparison.Ordinal))
            {
                lock (_lock)
                {
                    MostInFlight = Math.Max(MostInFlight, ++_inFlight);
                    foreach (var (count, reached) in _waiters.Where(w => MostInFlight >= w.Count)) reached.TrySetResult();
                }
                try
                {
                    await (honourCancellation ? _open.Task.WaitAsync(cancellationToken) : _open.Task).ConfigureAwait(false);
                }
                finally
                {
                    lock (_lock) _inFlight--;
                }
            }
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
