using System.Collections.Concurrent;
using GpuCloud;
using GpuCloud.Reliability.Tests.Support;
using GpuCloud.Sandbox;

namespace GpuCloud.Reliability.Tests;

/// <summary>
/// A bounded soak: mixed operations from concurrent callers against the sandbox with about 10% injected faults, in an
/// account that already holds instances under the names the callers use. Zero unhandled exceptions (every failure is a
/// <see cref="GpuCloudException"/>), zero duplicate creates, zero leaked instances, zero foreign instances touched, and
/// the heap after a full GC within a small margin of where it was after warm-up.
/// GPUCLOUD_SOAK_OPERATIONS raises the size (e.g. 5000 for the full run; default 1000).
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Soak")]
public sealed class SoakTests
{
    private const int Callers = 16;
    private const double MaxHeapGrowthMb = 20;

    private static readonly string[] KeyMaterial = [Keys.Ed25519, Keys.Rsa2048, Keys.Ecdsa256];

    private sealed class Tally
    {
        public int Ok;
        public int Typed;
        public readonly ConcurrentQueue<Exception> Unhandled = new();
        public readonly ConcurrentDictionary<GpuCloudErrorCode, int> Codes = new();
    }

    private sealed class Caller(int index, GpuCloudClient client, GpuPlan fluencePlan)
    {
        private readonly Random _random = new(1000 + index);
        private int _created;

        public List<GpuInstance> Held { get; } = [];

        public async Task RunOneAsync(Tally tally)
        {
            try
            {
                await PickAsync();
                Interlocked.Increment(ref tally.Ok);
            }
            catch (GpuCloudException ex)
            {
                Interlocked.Increment(ref tally.Typed);
                tally.Codes.AddOrUpdate(ex.Code, 1, (_, n) => n + 1);
            }
            catch (Exception ex)
            {
                tally.Unhandled.Enqueue(ex);
            }
        }

        private async Task PickAsync()
        {
            var roll = _random.Next(100);
            switch (roll)
            {
                case < 10:
                    var plans = await client.ListPlansAsync(_random.Next(3) switch
                    {
                        0 => new PlanQuery(),
                        1 => new PlanQuery { Providers = ["fluence"], GpuModels = ["H100"] },
                        _ => new PlanQuery { Providers = ["fluidstack"] },
                    });
                    if (plans.Failures.Count > 0) throw plans.Failures[0].Error;
                    break;
                case < 25:
                    await client.ListInstancesAsync();
                    break;
                case < 40 when Held.Count > 0:
                    await client.GetInstanceAsync(Held[^1].Provider, Held[^1].Id);
                    break;
                case < 55 when Held.Count < 3:
                    var name = $"soak-{index:00}-{_created++:0000}";
                    var request = _random.Next(2) == 0 ? Clients.FluenceRequest(fluencePlan, name) : Clients.FluidstackRequest(name);
                    Held.Add(await client.CreateInstanceAsync(request));
                    break;
                case < 70 when Held.Count > 0:
                    await client.DeleteInstanceAsync(Held[0].Provider, Held[0].Id);
                    Held.RemoveAt(0);
                    break;
                case < 75 when Held.FirstOrDefault(i => i.Provider == "fluidstack") is { } fs:
                    if (_random.Next(2) == 0) await client.StopInstanceAsync(fs.Provider, fs.Id);
                    else await client.StartInstanceAsync(fs.Provider, fs.Id);
                    break;
                case < 80 when Held.Count > 0:
                    await client.WaitForStateAsync(Held[^1].Provider, Held[^1].Id, InstanceState.Running, TimeSpan.FromSeconds(2));
                    break;
                case < 90:
                    await client.ListSshKeysAsync();
                    break;
                case < 95:
                    await client.AddSshKeyAsync($"soak-key-{index % KeyMaterial.Length}", KeyMaterial[index % KeyMaterial.Length]);
                    break;
                default:
                    foreach (var key in (await client.ListSshKeysAsync()).Where(k => k.Name.StartsWith("soak-key-", StringComparison.Ordinal)).Take(1))
                        await client.RemoveSshKeyAsync(key.Provider, key.Id);
                    break;
            }
        }
    }

    [Test]
    [Category("Soak")]
    public async Task MixedOperationsUnderFaultsLeaveNoUnhandledErrorDuplicateLeakOrGrowth()
    {
        var operations = int.TryParse(Environment.GetEnvironmentVariable("GPUCLOUD_SOAK_OPERATIONS"), out var n) && n > 0 ? n : 1000;
        var warmUp = Math.Max(Callers * 4, operations / 10);
        await using var sandbox = await Sandboxes.StartAsync();
        var plan = await Clients.FluenceContainerPlanAsync(sandbox);
        // The storm keeps the circuit closed so that every operation meets the faults themselves; the lookup through an open circuit has its own test in MoneyPathTests.
        using var client = Clients.Facade(sandbox, o =>
        {
            o.Resilience.CircuitBreakerMinimumThroughput = 100_000;
            Clients.ShortAttempts(o); // the slow answers end in attempt timeouts
        });
        var callers = Enumerable.Range(0, Callers).Select(i => new Caller(i, client, plan)).ToArray();

        // The trap: instances made elsewhere, before the soak, under the names its callers will use first (on both
        // providers, as a caller picks one at random). None may be returned to a caller, waited on or deleted.
        var foreign = new List<SandboxInstance>();
        using (var elsewhere = Clients.Facade(sandbox))
        {
            for (var i = 0; i < Callers; i++)
                for (var k = 0; k < 2; k++)
                {
                    await elsewhere.CreateInstanceAsync(Clients.FluenceRequest(plan, $"soak-{i:00}-{k:0000}"));
                    await elsewhere.CreateInstanceAsync(Clients.FluidstackRequest($"soak-{i:00}-{k:0000}"));
                }
            foreign.AddRange(sandbox.Inventory.LiveInstances());
        }
        var foreignIds = foreign.Select(i => i.Id.ToLowerInvariant()).ToHashSet();

        FaultRule[] faults =
        [
            new() { Kind = FaultKind.Status, StatusCode = 503, Probability = 0.03 },
            new() { Kind = FaultKind.Status, StatusCode = 500, Probability = 0.02 },
            new() { Kind = FaultKind.Status, StatusCode = 502, Probability = 0.01 },
            new() { Kind = FaultKind.DropConnection, AfterHandler = true, Probability = 0.02 },
            new() { Kind = FaultKind.DropConnection, Probability = 0.01 },
            new() { Kind = FaultKind.Latency, Delay = Clients.Forever, Probability = 0.01 },
        ];
        foreach (var rule in faults) sandbox.Faults.Add(rule);

        var warm = new Tally();
        await RunAsync(callers, warmUp, warm);
        Assert.That(warm.Unhandled.Select(e => e.ToString()).Take(3), Is.Empty, "unhandled exceptions during the warm-up");
        Assert.That(warm.Ok + warm.Typed, Is.EqualTo(warmUp), "every warm-up operation was counted");
        var heapBefore = Heap();

        var tally = new Tally();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await RunAsync(callers, operations, tally);
        watch.Stop();
        sandbox.Faults.Clear();

        // Duplicates: a name the soak created more than once, or that is live more than once (the foreign ones aside).
        var duplicates = new[] { SandboxProvider.Fluence, SandboxProvider.Fluidstack }
            .Sum(p => sandbox.Inventory.CreateRequestCounts(p).Count(kv => kv.Value - foreign.Count(f => f.Provider == p && f.Name == kv.Key) > 1))
            + sandbox.Inventory.LiveInstances().Where(i => !foreignIds.Contains(i.Id.ToLowerInvariant())).GroupBy(i => (i.Provider, i.Name)).Count(g => g.Count() > 1);
        // Leaks: live instances no caller holds, the foreign ones aside.
        var held = callers.SelectMany(c => c.Held).ToArray();
        var heldIds = held.Select(i => Sandboxes.RawId(i.Id).ToLowerInvariant()).ToHashSet();
        var leaked = sandbox.Inventory.LiveInstances().Where(i => !heldIds.Contains(i.Id.ToLowerInvariant()) && !foreignIds.Contains(i.Id.ToLowerInvariant())).ToArray();
        // Foreign instances touched: returned to a caller as its own, or no longer live (deleted).
        var liveNow = sandbox.Inventory.LiveInstances().Select(i => i.Id.ToLowerInvariant()).ToHashSet();
        var touched = foreign.Where(f => heldIds.Contains(f.Id.ToLowerInvariant()) || !liveNow.Contains(f.Id.ToLowerInvariant()))
            .Select(f => $"{f.Provider} {f.Name} {f.Id}").ToArray();
        var sameNamedCreates = new[] { SandboxProvider.Fluence, SandboxProvider.Fluidstack }
            .Sum(p => sandbox.Inventory.CreateRequestCounts(p).Count(kv => foreign.Any(f => f.Provider == p && f.Name == kv.Key) && kv.Value > 1));

        using (var calm = Clients.Facade(sandbox))
        {
            foreach (var instance in held) await calm.DeleteInstanceAsync(instance.Provider, instance.Id);
            foreach (var instance in leaked.Concat(foreign))
                await calm.DeleteInstanceAsync(instance.Provider == SandboxProvider.Fluence ? "fluence" : "fluidstack",
                    instance.Provider == SandboxProvider.Fluence ? $"{instance.Kind}:{instance.Id}" : $"{instance.Location}/{instance.Id}");
        }
        var allGone = await Sandboxes.EventuallyAsync(() => sandbox.Inventory.LiveInstances().Count == 0, HangGuard.Limit);
        foreach (var caller in callers) caller.Held.Clear();
        var heapGrowth = Math.Round((Heap() - heapBefore) / (1024.0 * 1024.0), 1);

        var line = $"soak: {operations} operations, {Callers} callers, {tally.Ok} ok, {tally.Typed} typed failures, {tally.Unhandled.Count} unhandled, " +
                   $"{duplicates} duplicates, {leaked.Length} leaks, {touched.Length} of {foreign.Count} foreign instances touched, heap {heapGrowth:+0.0;-0.0;+0.0} MB";
        TestContext.Out.WriteLine(line);
        TestContext.Out.WriteLine($"soak detail: {watch.Elapsed.TotalSeconds:0.0} s, faults fired {faults.Sum(f => f.Fired)}, failures by code: " +
            string.Join(", ", tally.Codes.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tally.Unhandled.Select(e => e.ToString()).Take(3), Is.Empty, "unhandled exceptions");
            Assert.That(duplicates, Is.Zero, "duplicate creates");
            Assert.That(leaked.Select(i => $"{i.Provider} {i.Name} {i.State}"), Is.Empty, "leaked instances");
            Assert.That(touched, Is.Empty, "foreign instances returned to a caller or deleted");
            Assert.That(sameNamedCreates, Is.GreaterThan(0), "callers did create under names a foreign instance already had");
            Assert.That(allGone, Is.True, "everything deleted at the end");
            Assert.That(heapGrowth, Is.LessThan(MaxHeapGrowthMb), "heap growth after a full GC (MB)");
            Assert.That(tally.Ok + tally.Typed + tally.Unhandled.Count, Is.EqualTo(operations), "every operation was counted");
            Assert.That(tally.Ok, Is.GreaterThan(operations / 2), "most operations succeed");
            Assert.That(faults.Sum(f => f.Fired), Is.GreaterThan(operations / 50), "the faults fired");
        }
    }

    private static async Task RunAsync(Caller[] callers, int operations, Tally tally)
    {
        var next = -1;
        await Task.WhenAll(callers.Select(async caller =>
        {
            while (Interlocked.Increment(ref next) < operations) await caller.RunOneAsync(tally);
        }));
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
