using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// --quick runs every benchmark once, in process, as a smoke test for CI (no timing is judged there).
// --profile Method [--ops N] [--top N] [--cpu] loops one in-process benchmark and breaks its allocations down by type (see Profiling).
// Anything else goes to BenchmarkDotNet's own command line (e.g. --filter '*VmPlans*').
if (Array.IndexOf(args, "--profile") is var p and >= 0 && p + 1 < args.Length)
{
    int Option(string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    return await GpuCloud.Benchmarks.Profiling.RunAsync(args[p + 1], Option("--ops", 2000), Option("--top", 25), args.Contains("--cpu"));
}

// --readiness [--waits N] measures issue 19's readiness detection on the sandbox in real time (see ReadinessLatency).
if (Array.IndexOf(args, "--readiness") >= 0)
{
    var w = Array.IndexOf(args, "--waits") is var wi and >= 0 && wi + 1 < args.Length ? int.Parse(args[wi + 1], System.Globalization.CultureInfo.InvariantCulture) : 20;
    return await GpuCloud.Benchmarks.ReadinessLatency.RunAsync(w);
}

// --journal [--closed N] [--records N] measures the journal stores beside each other (see JournalThroughput).
if (Array.IndexOf(args, "--journal") >= 0)
{
    int Option(string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    return await GpuCloud.Benchmarks.JournalThroughput.RunAsync(Option("--closed", 100_000), Option("--records", 500));
}

var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
var config = quick
    ? ManualConfig.CreateMinimumViable().AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableOptimizationsValidator)
    : DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
