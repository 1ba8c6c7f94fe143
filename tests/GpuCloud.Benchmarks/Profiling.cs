using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace GpuCloud.Benchmarks;

/// <summary>
/// <c>--profile Method [--ops N] [--top N]</c>: runs one in-process benchmark method in a loop and prints the exact bytes
/// allocated per operation and, from the runtime's sampled allocation events (one per ~100 KB), which types
/// those bytes went to, large-object-heap ones marked. With <c>--cpu</c> it only loops, for a CPU profiler (<c>dotnet-trace collect -- ...</c>):
/// the allocation events would otherwise dominate the profile.
/// </summary>
internal static class Profiling
{
    public static async Task<int> RunAsync(string method, int ops, int top, bool cpuOnly)
    {
        var target = typeof(InProcessBenchmarks).GetMethod(method, BindingFlags.Public | BindingFlags.Instance);
        if (target?.GetCustomAttribute<BenchmarkAttribute>() is null)
        {
            var names = typeof(InProcessBenchmarks).GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null).Select(m => m.Name);
            Console.Error.WriteLine($"--profile: no in-process benchmark '{method}'. Known: {string.Join(", ", names)}");
            return 2;
        }

        var benchmarks = new InProcessBenchmarks();
        benchmarks.Setup();
        try
        {
            Func<Task> run = () => Invoke(target, benchmarks);
            for (var i = 0; i < Math.Min(ops, 200); i++) await run();

            if (cpuOnly)
            {
                for (var i = 0; i < ops; i++) await run();
                Console.WriteLine($"{method}: {ops} ops");
                return 0;
            }

            KeyValuePair<string, long>[] byType;
            long total;
            using (var listener = new AllocationListener())
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                for (var i = 0; i < ops; i++) await run();
                total = GC.GetTotalAllocatedBytes(precise: true) - before;
                // Events arrive on the runtime's dispatch thread until the listener is gone: take one consistent copy.
                byType = listener.ByType.ToArray();
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method}: {ops} ops, {total / (double)ops:N0} bytes allocated per op"));
            Console.WriteLine("Sampled allocations by type (bytes per op, estimated from ~100 KB samples):");
            var sampled = byType.Sum(kv => kv.Value);
            foreach (var (type, bytes) in byType.OrderByDescending(kv => kv.Value).Take(top))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {bytes / (double)ops,12:N0}  {100.0 * bytes / Math.Max(sampled, 1),5:0.0}%  {type}"));
            return 0;
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static Task Invoke(MethodInfo method, InProcessBenchmarks target) => (Task)method.Invoke(target, null)!;

    /// <summary>Counts the runtime's <c>GCAllocationTick</c> events (the GC keyword at verbose level) by type name.</summary>
    private sealed class AllocationListener : EventListener
    {
        public ConcurrentDictionary<string, long> ByType { get; } = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
            var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
            var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a], CultureInfo.InvariantCulture) : 0;
            // Kind 1 is the large object heap: such allocations are what trigger gen-2 collections.
            if (e.PayloadNames.IndexOf("AllocationKind") is var k and >= 0 && Convert.ToInt32(e.Payload[k], CultureInfo.InvariantCulture) == 1) type = "[LOH] " + type;
            ByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
        }
    }
}
