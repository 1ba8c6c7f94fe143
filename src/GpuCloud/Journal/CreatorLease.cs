namespace GpuCloud;

/// <summary>
/// The lease this process holds in a shared journal once it has created something (<see cref="ISharedInstanceJournal"/>):
/// written before the first intent, so that no entry of this process is ever without one, then renewed at a quarter of
/// its length for as long as the client lives. A process that is killed stops renewing, and its lease ends within
/// <see cref="Duration"/>: then a sweep on any machine counts its creator gone.
/// </summary>
internal sealed class CreatorLease(GpuCloudOptions options, TimeProvider time) : IDisposable
{
    /// <summary>
    /// Two minutes: how long after a crash another machine's sweep must wait before it may delete what the crashed process
    /// made, against how long the journal may be out of reach before a live creator's lease lapses (a minute and a half).
    /// </summary>
    internal static readonly TimeSpan Duration = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private ITimer? _renewal;
    private bool _disposed;

    /// <summary>Holds the lease before a create is recorded; a journal that cannot take it stops the create.</summary>
    public async Task HoldAsync(CancellationToken ct)
    {
        if (options.Journal is not ISharedInstanceJournal journal) return;
        lock (_gate)
        {
            if (_renewal is not null) return;
        }
        await journal.RenewLeaseAsync(Lease(), ct).ConfigureAwait(false);
        lock (_gate)
        {
            if (_renewal is null && !_disposed)
                _renewal = time.CreateTimer(_ => _ = RenewAsync(journal), null, Duration / 4, Duration / 4);
        }
    }

    private JournalLease Lease() => new(options.Owner, JournalProcess.Current, time.GetUtcNow() + Duration);

    // A renewal that fails is tried again at the next tick; the lease still has three quarters of its length to run.
    private Task RenewAsync(ISharedInstanceJournal journal) =>
        BestEffortJournal.WriteAsync(journal, j => ((ISharedInstanceJournal)j).RenewLeaseAsync(Lease(), CancellationToken.None));

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _renewal?.Dispose();
            _renewal = null;
        }
    }
}
