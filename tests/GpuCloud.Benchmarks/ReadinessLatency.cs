using System.Diagnostics;
using GpuCloud;
using GpuCloud.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace GpuCloud.Benchmarks;

/// <summary>
/// <c>--readiness [--waits N]</c>: issue 19's detection measurements on the sandbox, in real time, with known ready
/// times (ACTIVE at create + ProvisioningDelay, SSH answering SshAnswerDelay later). Each wait starts a random
/// 0-5 s after its create, so the poll phase varies as it does for a caller. Prints, per probe setting:
/// (a) SSH-answers to caller-knows, (b) provider-running to caller-knows, (c) provider GETs per wait.
/// </summary>
internal static class ReadinessLatency
{
    private static readonly TimeSpan Provisioning = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan SshDelay = TimeSpan.FromSeconds(1.5);

    public static async Task<int> RunAsync(int waits)
    {
        foreach (var probe in new[] { ReadinessProbe.None, ReadinessProbe.SshBanner })
        {
            await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { ProvisioningDelay = Provisioning, SshAnswerDelay = SshDelay, Seed = 7 });
            var counter = new CountingHandler.Counter();
            var services = new ServiceCollection();
            services.AddGpuCloud(o =>
            {
                o.Fluence.ApiKey = sandbox.FluenceApiKey;
                o.Fluence.BaseUrl = sandbox.FluenceBaseUrl;
                o.ReadinessProbe = probe;
            });
            services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new CountingHandler(counter)));
            await using var provider = services.BuildServiceProvider();
            var client = provider.GetRequiredService<GpuCloudClient>();
            var plans = await client.ListPlansAsync(new PlanQuery { Providers = ["fluence"], Workload = WorkloadType.Container });
            var plan = plans.Plans[0];
            var random = new Random(11);
            var offsets = Enumerable.Range(0, waits).Select(_ => TimeSpan.FromMilliseconds(random.Next(0, 5000))).ToArray();
            var results = await Task.WhenAll(offsets.Select((offset, n) => OneAsync(client, counter, plan, offset, n)));

            var a = results.Select(r => r.KnowsAt - r.AnswersAt).Order().ToArray();
            var b = results.Select(r => r.KnowsAt - r.RunningAt).Order().ToArray();
            Console.WriteLine($"ReadinessProbe = {probe}, {waits} waits, PollInterval 5 s, provisioning {Provisioning.TotalSeconds} s, SSH answers {SshDelay.TotalSeconds} s after ACTIVE");
            Console.WriteLine($"  (a) SSH answers -> caller knows: p50 {S(P(a, 50))}, p95 {S(P(a, 95))}, told before SSH answered: {a.Count(x => x < TimeSpan.Zero)} of {waits}");
            Console.WriteLine($"  (b) provider running -> caller knows: p50 {S(P(b, 50))}, p95 {S(P(b, 95))}");
            Console.WriteLine($"  (c) provider GETs per wait: mean {results.Average(r => r.Gets):0.00}, max {results.Max(r => r.Gets)}");
            foreach (var r in results) await client.DeleteInstanceAsync(r.Provider, r.Id);
        }
        return 0;
    }

    private static async Task<Sample> OneAsync(GpuCloudClient client, CountingHandler.Counter counter, GpuPlan plan, TimeSpan offset, int n)
    {
        var created = await client.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan, Name = $"latency-{n}", SshPublicKeys = [Key],
            Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
        });
        var createdAt = DateTimeOffset.UtcNow;
        await Task.Delay(offset);
        var before = counter.GetsFor(created.Id);
        var ready = await client.WaitForStateAsync(created.Provider, created.Id, InstanceState.Running, TimeSpan.FromMinutes(1));
        var knows = DateTimeOffset.UtcNow;
        // The sandbox stamps creation on its own clock (the system clock here).
        var running = (ready.CreatedAt ?? createdAt) + Provisioning;
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
