namespace GpuCloud.Sandbox.Tests.Support;

/// <summary>
/// A manual clock: time moves only by <see cref="Advance"/>. Supports timers, so <c>Task.Delay(delay, provider)</c>
/// (the sandbox's injected latency and slow bodies) completes when the clock is advanced past it.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<FakeTimer> _timers = new();
    private readonly SemaphoreSlim _timerArmed = new(0);
    private DateTimeOffset _now;

    public FakeTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2026, 2, 7, 14, 42, 29, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public override long GetTimestamp()
    {
        lock (_gate) return _now.UtcTicks;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers waiting to fire.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate) return _timers.Count(t => t.Due is not null);
        }
    }

    /// <summary>Completes when a timer is armed (created or changed to a finite due time), or after the timeout.</summary>
    public Task<bool> WaitForTimerAsync(TimeSpan? timeout = null) =>
        _timerArmed.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Forgets earlier "timer armed" signals, so <see cref="WaitForTimerAsync"/> waits for a new one.</summary>
    public void ForgetArmedTimers()
    {
        while (_timerArmed.Wait(0))
        {
        }
    }

    public void Advance(TimeSpan by)
    {
        List<FakeTimer> due;
        lock (_gate)
        {
            _now += by;
            due = _timers.Where(t => t.Due is { } d && d <= _now).OrderBy(t => t.Due).ToList();
            foreach (var timer in due)
                timer.Due = timer.Period is { } p && p > TimeSpan.Zero ? _now + p : null;
        }

        foreach (var timer in due) timer.Fire();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        lock (_gate) _timers.Add(timer);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Arm(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        var fireNow = false;
        lock (_gate)
        {
            timer.Period = period == Timeout.InfiniteTimeSpan ? null : period;
            if (dueTime == Timeout.InfiniteTimeSpan) timer.Due = null;
            else if (dueTime <= TimeSpan.Zero) fireNow = true;
            else timer.Due = _now + dueTime;
        }

        if (fireNow) timer.Fire();
        else if (dueTime != Timeout.InfiniteTimeSpan) _timerArmed.Release();
    }

    private void Remove(FakeTimer timer)
    {
        lock (_gate) _timers.Remove(timer);
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }
        public TimeSpan? Period { get; set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Arm(this, dueTime, period);
            return true;
        }

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
