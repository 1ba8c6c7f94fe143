using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// --quick runs every benchmark once, in process, as a smoke test for CI (no timing is judged there).
// Anything else goes to BenchmarkDotNet's own command line (e.g. --filter '*VmPlans*').
var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
var config = quick
    ? ManualConfig.CreateMinimumViable().AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableOptimizationsValidator)
    : DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest, config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
