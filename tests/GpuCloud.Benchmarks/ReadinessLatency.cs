using System.Diagnostics;
using GpuCloud;
using GpuCloud.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace GpuCloud.Benchmarks;

/// <summary>
/// <c>--readiness [--waits N]</c>: issue 19's detection measurements on the sandbox, in real time, with known ready
/// times (ACTIVE at create + ProvisioningDelay, SSH answering SshAnswerDelay later). Each wait starts a different time
/// after its create (spread evenly over one PollInterval, plus a random number of whole intervals), so the provider
/// turns running at every point of the poll cycle. Two scenarios: the sandbox's own
/// short provisioning (3 s; the wait starts 0-5 s after create) and a typical slow one (60 s; the wait starts 0-50 s
/// after create, so ACTIVE comes 10-60 s into it). Prints, per polling and probe setting: (a) SSH-answers to
/// caller-knows, (b) provider-running to caller-knows, (c) provider GETs per wait.
/// </summary>
internal static class ReadinessLatency
{
    private static readonly TimeSpan SshDelay = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private sealed record Scenario(string Name, TimeSpan Provisioning, TimeSpan MaxOffset);

    private sealed record Setting(string Name, TimeSpan MinPollInterval, ReadinessProbe Probe);

    public static async Task<int> RunAsync(int waits)
    {
        Scenario[] scenarios =
        [
            new("sandbox", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)),
            new("slow", TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(50)),
        ];
        Setting[] settings =
        [
            new("fixed 5 s, no probe", Poll, ReadinessProbe.None),
            new("fixed 5 s, SshBanner", Poll, ReadinessProbe.SshBanner),
            new("adaptive 1-2-4-5 s, SshBanner", TimeSpan.FromSeconds(1), ReadinessProbe.SshBanner),
            new("adaptive 2-4-5 s, SshBanner (default)", TimeSpan.FromSeconds(2), ReadinessProbe.SshBanner),
        ];
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"Scenario {scenario.Name}: {waits} waits, provisioning {scenario.Provisioning.TotalSeconds} s, wait starts 0-{scenario.MaxOffset.TotalSeconds} s after create, SSH answers {SshDelay.TotalSeconds} s after ACTIVE, PollInterval {Poll.TotalSeconds} s, probe every {InstanceWaiterProbeInterval}");
            foreach (var setting in settings) await OneSettingAsync(scenario, setting, waits);
        }
        return 0;
    }

    // The probe cadence is internal to the library; this is what InstanceWaiter.ProbeInterval says, for the printout.
    private const string InstanceWaiterProbeInterval = "0.25 s";

    private static async Task OneSettingAsync(Scenario scenario, Setting setting, int waits)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { ProvisioningDelay = scenario.Provisioning, SshAnswerDelay = SshDelay, Seed = 7 });
        var counter = new CountingHandler.Counter();
        var services = new ServiceCollection();
        services.AddGpuCloud(o =>
        {
            o.Fluence.ApiKey = sandbox.FluenceApiKey;
            o.Fluence.BaseUrl = sandbox.FluenceBaseUrl;
            o.ReadinessProbe = setting.Probe;
            o.PollInterval = Poll;
            o.MinPollInterval = setting.MinPollInterval;
        });
        services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new CountingHandler(counter)));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<GpuCloudClient>();
        var plans = await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container });
        var plan = plans.Plans[0];
        // Where ACTIVE falls within a PollInterval decides the latency: 20 random offsets can bunch up (one seed put most
        // of them 2 s after a fixed poll and flattered every schedule 2 s off it). So the phase is spread evenly over
        // one PollInterval, and only the whole number of intervals before it is random.
        var random = new Random(11);
        var periods = (int)(scenario.MaxOffset / Poll);
        var offsets = Enumerable.Range(0, waits)
            .Select(n => Poll * random.Next(0, periods) + Poll * ((n + 0.5) / waits))
            .ToArray();
        var results = await Task.WhenAll(offsets.Select((offset, n) => OneAsync(client, counter, plan, scenario.Provisioning, offset, n)));

        var a = results.Select(r => r.KnowsAt - r.AnswersAt).Order().ToArray();
        var b = results.Select(r => r.KnowsAt - r.RunningAt).Order().ToArray();
        Console.WriteLine($"  {setting.Name}");
        Console.WriteLine($"    (a) SSH answers -> caller knows: p50 {S(P(a, 50))}, p95 {S(P(a, 95))}, told before SSH answered: {a.Count(x => x < TimeSpan.Zero)} of {waits}");
        Console.WriteLine($"    (b) provider running -> caller knows: p50 {S(P(b, 50))}, p95 {S(P(b, 95))}");
        Console.WriteLine($"    (c) provider GETs per wait: mean {results.Average(r => r.Gets):0.00}, max {results.Max(r => r.Gets)}");
        foreach (var r in results) await client.DeleteInstanceAsync(r.Provider, r.Id);
    }

    private static async Task<Sample> OneAsync(GpuCloudClient client, CountingHandler.Counter counter, GpuPlan plan, TimeSpan provisioning, TimeSpan offset, int n)
    {
        var created = await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = $"latency-{n}", SshPublicKeys = [Key],
            Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
        });
        var createdAt = DateTimeOffset.UtcNow;
        await Task.Delay(offset);
        var before = counter.GetsFor(created.Id);
        var ready = await client.WaitForStateAsync(created.Provider, created.Id, InstanceState.Running, TimeSpan.FromMinutes(2));
        var knows = DateTimeOffset.UtcNow;
        // The sandbox stamps creation on its own clock (the system clock here).
        var running = (ready.CreatedAt ?? createdAt) + provisioning;
        return new Sample(created.Provider, created.Id, running, running + SshDelay, knows, counter.GetsFor(created.Id) - before);
    }

    private static TimeSpan P(TimeSpan[] sorted, int percentile) => sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string S(TimeSpan t) => $"{t.TotalSeconds:0.00} s";

    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP6qlOJ3nURQhCJRGgiMq72PDbnwEw26OlfGPM9UTN5p gpucloud-sandbox-demo";

    private sealed record Sample(string Provider, string Id, DateTimeOffset RunningAt, DateTimeOffset AnswersAt, DateTimeOffset KnowsAt, int Gets);

    private sealed class CountingHandler(CountingHandler.Counter counter) : DelegatingHandler
    {
        public sealed class Counter
        {
            private readonly System.Collections.Concurrent.ConcurrentQueue<string> _gets = new();

            public void Add(string path) => _gets.Enqueue(path);

            public int GetsFor(string id)
            {
                var local = id[(id.IndexOf(':') + 1)..];
                return _gets.Count(p => p.EndsWith(local, StringComparison.Ordinal));
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri is { } uri) counter.Add(uri.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
