using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GpuCloud.Tests.Support;

/// <summary>One measurement of a GpuCloud instrument, with its tags.</summary>
public sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string name) => Tags.TryGetValue(name, out var v) ? v?.ToString() : null;
}

/// <summary>Listens to the "GpuCloud" ActivitySource and Meter while alive; records stopped activities and measurements.</summary>
public sealed class DiagnosticsRecorder : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Measured> _measured = new();

    public DiagnosticsRecorder(string name = "GpuCloud")
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_activities);

        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == name) listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dict = new Dictionary<string, object?>();
        foreach (var (k, v) in tags) dict[k] = v;
        _measured.Enqueue(new Measured(instrument.Name, value, dict));
    }

    public IReadOnlyList<Activity> Activities => _stopped.ToArray();

    public IReadOnlyList<Measured> Measurements => _measured.ToArray();

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }
}
