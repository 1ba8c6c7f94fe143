namespace GpuCloud.Cli;

/// <summary>
/// Opens the journal when a command first needs it, not when the CLI starts: a journal that cannot be opened fails the
/// commands that record or read ownership (create, run, sweep), never <c>plans</c> or <c>keys</c>.
/// </summary>
internal class OnFirstUseJournal(Func<IInstanceJournal> open) : IInstanceJournal
{
    private readonly Lazy<IInstanceJournal> _journal = new(open, LazyThreadSafetyMode.ExecutionAndPublication);

    protected IInstanceJournal Journal => _journal.Value;

    public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default) =>
        Journal.RecordIntentAsync(intent, cancellationToken);

    public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default) =>
        Journal.RecordOutcomeAsync(token, outcome, cancellationToken);

    public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Journal.RecordGoneAsync(provider, instanceId, at, cancellationToken);

    public Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Journal.RecordKeptAsync(provider, instanceId, at, cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default) =>
        Journal.ListOpenAsync(cancellationToken);
}

/// <summary>A shared journal (PostgreSQL), opened on first use like any other, with its leases and claims.</summary>
internal sealed class OnFirstUseSharedJournal(Func<ISharedInstanceJournal> open) : OnFirstUseJournal(open), ISharedInstanceJournal
{
    private ISharedInstanceJournal Shared => (ISharedInstanceJournal)Journal;

    public Task RenewLeaseAsync(JournalLease lease, CancellationToken cancellationToken = default) =>
        Shared.RenewLeaseAsync(lease, cancellationToken);

    public Task<JournalLease?> TryClaimAsync(string token, JournalLease claim, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Shared.TryClaimAsync(token, claim, now, cancellationToken);

    public Task ReleaseClaimAsync(string token, JournalLease claim, CancellationToken cancellationToken = default) =>
        Shared.ReleaseClaimAsync(token, claim, cancellationToken);
}
