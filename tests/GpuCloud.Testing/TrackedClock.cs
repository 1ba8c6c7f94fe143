using Microsoft.Extensions.Time.Testing;

namespace GpuCloud.Testing;

/// <summary>
/// A thin wrapper over the library's <see cref="FakeTimeProvider"/> that also knows when each of its timers is
/// due, which the library does not expose. With it a test can wait (never sleep) until the code under test arms a
/// timer, jump exactly to that timer's due time, or advance through the short waits (retry back-off) while long
/// ones (a total timeout) stay pending. Polly keeps its timeout <see cref="CancellationTokenSource"/>s in a pool
/// and re-arms their timers with <see cref="ITimer.Change"/>, so due times are tracked through changes, firing and
/// disposal. Time itself, and the firing of timers, is the library's: it moves only when the test says so.
/// </summary>
public sealed class TrackedClock : TimeProvider
{
    /// <summary>The start used when a test does not care: a fixed date, so nothing depends on the real clock.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();
    private readonly List<Tracked> _timers = [];
    private readonly SemaphoreSlim _armed = new(0);
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource _created = NewSignal();
    private long _createdCount;

    public TrackedClock(DateTimeOffset? start = null)
        : this(new FakeTimeProvider(start ?? DefaultStart))
    {
    }

    public TrackedClock(FakeTimeProvider fake) => Fake = fake;

    /// <summary>The library clock underneath (time, timers, <see cref="FakeTimeProvider.SetUtcNow"/>).</summary>
    public FakeTimeProvider Fake { get; }

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    /// <summary>Moves the clock forward, firing what becomes due (the library's <see cref="FakeTimeProvider.Advance"/>).</summary>
    public void Advance(TimeSpan by) => Fake.Advance(by);

    /// <summary>Sets the clock (forward only), firing what becomes due.</summary>
    public void SetUtcNow(DateTimeOffset value) => Fake.SetUtcNow(value);

    /// <summary>How many timers were ever created.</summary>
    public long TimersCreated => Interlocked.Read(ref _createdCount);

    /// <summary>Timers that are still scheduled to fire.</summary>
    public int PendingTimers
    {
        get { lock (_gate) return _timers.Count(t => t.Due is not null); }
    }

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

    /// <summary>Jumps to the earliest pending timer and fires it; false when no timer is pending.</summary>
    public bool AdvanceToNextTimer()
    {
        if (NextWithin(TimeSpan.MaxValue) is not { } next) return false;
        Advance(next);
        return true;
    }

    /// <summary>Completes when a timer is created after this call.</summary>
    public Task NextTimerCreatedAsync()
    {
        lock (_gate) return _created.Task;
    }

    /// <summary>Completes when a timer is next created or re-armed.</summary>
    public Task NextChangeAsync()
    {
        lock (_gate) return _changed.Task;
    }

    /// <summary>
    /// True when a timer was armed to a finite, positive due time (created or changed) since the last call or
    /// <see cref="ForgetArmedTimers"/>; false after <paramref name="timeout"/> (a hang guard, not a timing assertion).
    /// </summary>
    public Task<bool> WaitForTimerAsync(TimeSpan? timeout = null) => _armed.WaitAsync(timeout ?? HangGuard.Limit);

    /// <summary>Forgets earlier "timer armed" signals, so <see cref="WaitForTimerAsync"/> waits for a new one.</summary>
    public void ForgetArmedTimers()
    {
        while (_armed.Wait(0))
        {
        }
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

    /// <summary>
    /// Runs <paramref name="until"/> to completion, advancing the clock to each timer that is due within
    /// <paramref name="horizon"/>; timers further out are never fired. Between steps it waits (never sleeps)
    /// until the code under test arms a timer or finishes.
    /// </summary>
    public async Task RunAsync(Task until, TimeSpan horizon, int maxSteps = 1_000)
    {
        for (var step = 0; step < maxSteps && !until.IsCompleted; step++)
        {
            var changed = NextChangeAsync();
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

    /// <summary>Yields to the thread pool until the driven task has been stable for a few rounds (a scheduling yield, not a timing assertion).</summary>
    private static async Task Quiesce(Task task)
    {
        for (var i = 0; i < 5 && !task.IsCompleted; i++)
        {
            await Task.Yield();
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var tracked = new Tracked(this);
        // Tracked before the library arms it: a zero due time fires inside CreateTimer, and the firing must win.
        tracked.Arm(dueTime, period);
        lock (_gate) _timers.Add(tracked);
        tracked.Inner = Fake.CreateTimer(s =>
        {
            tracked.OnFired();
            callback(s);
        }, state, dueTime, period);
        Interlocked.Increment(ref _createdCount);
        Signal(created: true, dueTime);
        return tracked;
    }

    private void Signal(bool created, TimeSpan dueTime)
    {
        TaskCompletionSource changed, made;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
            made = _created;
            if (created) _created = NewSignal();
        }
        changed.TrySetResult();
        if (created) made.TrySetResult();
        if (dueTime != Timeout.InfiniteTimeSpan && dueTime > TimeSpan.Zero) _armed.Release();
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
            // Armed first for the same reason as in CreateTimer: a zero due time fires inside Change.
            Arm(dueTime, period);
            if (!Inner.Change(dueTime, period))
            {
                lock (owner._gate) Due = null;
                return false;
            }
            owner.Signal(created: false, dueTime);
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
