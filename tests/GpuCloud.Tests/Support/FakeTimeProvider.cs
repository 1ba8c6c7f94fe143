namespace GpuCloud.Tests.Support;

/// <summary>
/// A manual clock: time moves only when a test calls <see cref="Advance"/>, and timers created through
/// <see cref="CreateTimer"/> (Task.Delay, CancellationTokenSource with a TimeProvider) fire only then.
/// Nothing here sleeps or depends on the real clock.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now;
    private long _created;
    private TaskCompletionSource _timerCreated = NewSignal();

    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public FakeTimeProvider(DateTimeOffset start) => _now = start;

    /// <summary>How many timers were ever created.</summary>
    public long TimersCreated
    {
        get { lock (_gate) return _created; }
    }

    /// <summary>Timers that are still scheduled to fire.</summary>
    public int PendingTimers
    {
        get { lock (_gate) return _timers.Count(t => t.Due is not null); }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now;
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Sets the clock (forward only) and fires the timers that became due.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        var by = value - GetUtcNow();
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), "The fake clock only moves forward.");
        Advance(by);
    }

    /// <summary>Moves the clock forward, firing every timer that becomes due, in due order.</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by));
        DateTimeOffset target;
        lock (_gate) target = _now + by;
        while (true)
        {
            FakeTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is { } d && d <= target).OrderBy(t => t.Due).ThenBy(t => t.Sequence).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }
                _now = next.Due!.Value;
                next.Due = next.Period is { } p && p > TimeSpan.Zero ? _now + p : null;
            }
            // Outside the lock: the callback may create or change timers.
            next.Fire();
        }
    }

    /// <summary>Completes when a timer is created after this call (or immediately if one is created concurrently).</summary>
    public Task NextTimerCreatedAsync()
    {
        lock (_gate) return _timerCreated.Task;
    }

    /// <summary>
    /// Runs <paramref name="task"/> to completion by firing timers one at a time: whenever the code under test
    /// has scheduled a timer (and is therefore waiting on the clock), the clock jumps to that timer's due time.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> task, int maxSteps = 10_000)
    {
        await DriveAsync((Task)task, maxSteps).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <inheritdoc cref="DriveAsync{T}(Task{T}, int)"/>
    public async Task DriveAsync(Task task, int maxSteps = 10_000)
    {
        for (var step = 0; step < maxSteps && !task.IsCompleted; step++)
        {
            // Let work already running (continuations on the thread pool, a cold first call) reach its next await
            // before time moves: a pending long timer (a cleanup deadline) must not fire under in-flight I/O.
            await Quiesce(task).ConfigureAwait(false);
            if (task.IsCompleted) break;
            var created = NextTimerCreatedAsync();
            if (!AdvanceToNextTimer())
            {
                // Nothing scheduled yet: wait (without sleeping) until the code schedules a timer or finishes.
                await HangGuard.WhenAnyAsync(task, created).ConfigureAwait(false);
                AdvanceToNextTimer();
            }
        }
        await HangGuard.WhenAnyAsync(task).ConfigureAwait(false);
    }

    /// <summary>Yields to the thread pool until the driven task has been stable for a few rounds (a scheduling yield, not a timing assertion).</summary>
    private static async Task Quiesce(Task task)
    {
        for (var i = 0; i < 5 && !task.IsCompleted; i++)
        {
            await Task.Yield();
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    /// <summary>Jumps to the earliest pending timer and fires it; false when no timer is pending.</summary>
    public bool AdvanceToNextTimer()
    {
        DateTimeOffset? due;
        lock (_gate) due = _timers.Where(t => t.Due is not null).Select(t => t.Due).Min();
        if (due is not { } d) return false;
        SetUtcNow(d);
        return true;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        FakeTimer timer;
        TaskCompletionSource signal;
        lock (_gate)
        {
            timer = new FakeTimer(this, callback, state, ++_created);
            timer.Schedule(dueTime, period, _now);
            _timers.Add(timer);
            signal = _timerCreated;
            _timerCreated = NewSignal();
        }
        signal.TrySetResult();
        return timer;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state, long sequence) : ITimer
    {
        public long Sequence { get; } = sequence;

        public DateTimeOffset? Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public void Schedule(TimeSpan dueTime, TimeSpan period, DateTimeOffset now)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            Period = period == Timeout.InfiniteTimeSpan ? null : period;
        }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this)) return false;
                Schedule(dueTime, period, owner._now);
            }
            return true;
        }

        public void Dispose()
        {
            lock (owner._gate) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// Turns a hang into a test failure. This is not a timing threshold: every wait it guards completes as soon
/// as the code under test makes progress; the limit only stops a broken test from blocking the run forever.
/// </summary>
public static class HangGuard
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    public static async Task WhenAnyAsync(params Task[] tasks)
    {
        using var cts = new CancellationTokenSource();
        var guard = Task.Delay(Limit, cts.Token);
        var done = await Task.WhenAny(tasks.Append(guard)).ConfigureAwait(false);
        if (done == guard) Assert.Fail("The code under test hung: it neither finished nor scheduled a timer.");
        await cts.CancelAsync().ConfigureAwait(false);
    }
}
