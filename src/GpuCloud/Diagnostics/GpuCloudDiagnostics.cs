using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GpuCloud;

/// <summary>
/// Tracing and metrics: an <see cref="ActivitySource"/> and a <see cref="Meter"/> both named <c>GpuCloud</c>.
/// One activity per facade operation (tags <c>gpucloud.operation</c>, <c>gpucloud.provider</c>, <c>gpucloud.outcome</c>);
/// the counter <c>gpucloud.operations</c> and histogram <c>gpucloud.operation.duration</c> (seconds) carry the same tags.
/// An operation that asks several providers (plans, instances and keys across providers) counts once per provider it
/// asks, tagged with it; one that belongs to no single provider (<c>CreateCheapest</c>, <c>ListOwned</c>) counts once,
/// tagged <c>all</c>. No call is counted twice.
/// </summary>
public static class GpuCloudDiagnostics
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "GpuCloud";

    private static readonly string? Version = typeof(GpuCloudDiagnostics).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource ActivitySource = new(Name, Version);
    internal static readonly Meter Meter = new(Name, Version);

    private static readonly Counter<long> Operations =
        Meter.CreateCounter<long>("gpucloud.operations", description: "Facade operations by provider, operation and outcome.");

    private static readonly Histogram<double> Duration =
        Meter.CreateHistogram<double>("gpucloud.operation.duration", unit: "s", description: "Duration of facade operations by provider, operation and outcome.");

    /// <summary>Runs one facade operation inside an activity and records its outcome: <c>success</c>, a <see cref="GpuCloudErrorCode"/>, <c>cancelled</c> or <c>error</c>.</summary>
    internal static Task<T> RunAsync<T>(string operation, string? provider, Func<Task<T>> body) =>
        // Nobody listening (the common case in a hot loop): no activity, no clock, no extra async frame.
        ActivitySource.HasListeners() || Operations.Enabled || Duration.Enabled ? InstrumentedAsync(operation, provider, body) : body();

    private static async Task<T> InstrumentedAsync<T>(string operation, string? provider, Func<Task<T>> body)
    {
        using var activity = ActivitySource.StartActivity("GpuCloud." + operation, ActivityKind.Internal);
        activity?.SetTag("gpucloud.operation", operation);
        if (provider is not null) activity?.SetTag("gpucloud.provider", provider);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var result = await body().ConfigureAwait(false);
            outcome = "success";
            return result;
        }
        catch (GpuCloudException ex)
        {
            outcome = ex.Code.ToString();
            activity?.SetStatus(ActivityStatusCode.Error, ex.Code.ToString());
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            activity?.SetTag("gpucloud.outcome", outcome);
            var tags = new TagList { { "gpucloud.operation", operation }, { "gpucloud.provider", provider ?? "all" }, { "gpucloud.outcome", outcome } };
            Operations.Add(1, tags);
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    internal static async Task RunAsync(string operation, string? provider, Func<Task> body) =>
        await RunAsync<bool>(operation, provider, async () => { await body().ConfigureAwait(false); return true; }).ConfigureAwait(false);
}
