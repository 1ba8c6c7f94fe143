namespace GpuCloud.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also knows when each of its timers is due, so a test can advance
/// exactly through the short waits (retry back-off) while long ones (a total timeout) stay pending. Polly keeps
/// its timeout <see cref="CancellationTokenSource"/>s in a pool and re-arms their timers with
/// <see cref="ITimer.Change"/>, so due times are tracked through changes, firing and disposal.
/// Time still moves only when the test says so.
/// </summary>
public sealed class TrackedClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<Tracked> _timers = [];
    private TaskCompletionSource _changed = NewSignal();

    public TrackedClock(FakeTimeProvider? clock = null) => Fake = clock ?? new FakeTimeProvider();

    /// <summary>The underlying clock (for <see cref="FakeTimeProvider.Advance"/>).</summary>
    public FakeTimeProvider Fake { get; }

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    /// <summary>Moves the clock forward, firing what becomes due.</summary>
    public void Advance(TimeSpan by) => Fake.Advance(by);

    /// <summary>How long until each armed timer fires, soonest first.</summary>
    public IReadOnlyList<TimeSpan> PendingDelays
    {
        get
        {
            var now = GetUtcNow();
            lock (_gate) return _timers.Where(t => t.Due is not null).Select(t => t.Due!.Value - now).Order().ToArray();
        }
    }

    /// <summary>The soonest armed timer due within <paramref name="horizon"/> from now, if any.</summary>
    public TimeSpan? NextWithin(TimeSpan horizon)
    {
        var next = PendingDelays.FirstOrDefault(d => d <= horizon, TimeSpan.MinValue);
        return next == TimeSpan.MinValue ? null : next < TimeSpan.Zero ? TimeSpan.Zero : next;
    }

    /// <summary>
    /// Runs <paramref name="until"/> to completion, advancing the clock to each timer that is due within
    /// <paramref name="horizon"/>; timers further out are never fired. Between steps it waits (never sleeps)
    /// until the code under test arms a timer or finishes.
    /// </summary>
    public async Task RunAsync(Task until, TimeSpan horizon, int maxSteps = 1_000)
    {
        for (var step = 0; step < maxSteps && !until.IsCompleted; step++)
        {
            Task changed;
            lock (_gate) changed = _changed.Task;
            if (NextWithin(horizon) is { } next)
            {
                Advance(next);
                continue;
            }
            await HangGuard.WhenAnyAsync(until, changed).ConfigureAwait(false);
        }
        await HangGuard.WhenAnyAsync(until).ConfigureAwait(false);
    }

    /// <inheritdoc cref="RunAsync(Task, TimeSpan, int)"/>
    public async Task<T> RunAsync<T>(Task<T> until, TimeSpan horizon, int maxSteps = 1_000)
    {
        await RunAsync((Task)until, horizon, maxSteps).ConfigureAwait(false);
        return await until.ConfigureAwait(false);
    }

    /// <summary>Waits (never sleeps) until a timer is armed to fire within <paramref name="horizon"/>; returns how long until it fires.</summary>
    public async Task<TimeSpan> WaitForTimerWithinAsync(TimeSpan horizon)
    {
        while (true)
        {
            var changed = NextChangeAsync();
            if (NextWithin(horizon) is { } next) return next;
            await HangGuard.WhenAnyAsync(changed).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when a timer is next created or re-armed.</summary>
    public Task NextChangeAsync()
    {
        lock (_gate) return _changed.Task;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var tracked = new Tracked(this);
        tracked.Arm(dueTime, period);
        tracked.Inner = Fake.CreateTimer(s =>
        {
            tracked.OnFired();
            callback(s);
        }, state, dueTime, period);
        lock (_gate) _timers.Add(tracked);
        Signal();
        return tracked;
    }

    private void Signal()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _changed;
            _changed = NewSignal();
        }
        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Tracked(TrackedClock owner) : ITimer
    {
        private TimeSpan? _period;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset? Due { get; private set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
                _period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
            }
        }

        public void OnFired()
        {
            lock (owner._gate) Due = _period is { } p ? owner.GetUtcNow() + p : null;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (!Inner.Change(dueTime, period)) return false;
            Arm(dueTime, period);
            owner.Signal();
            return true;
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                Due = null;
                owner._timers.Remove(this);
            }
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
