namespace GpuCloud.Cli;

/// <summary>
/// Opens the journal when a command first needs it, not when the CLI starts: a journal that cannot be opened fails the
/// commands that record or read ownership (create, run, sweep), never <c>plans</c> or <c>keys</c>.
/// </summary>
internal sealed class OnFirstUseJournal(Func<IInstanceJournal> open) : IInstanceJournal
{
    private readonly Lazy<IInstanceJournal> _journal = new(open, LazyThreadSafetyMode.ExecutionAndPublication);

    public Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default) =>
        _journal.Value.RecordIntentAsync(intent, cancellationToken);

    public Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default) =>
        _journal.Value.RecordOutcomeAsync(token, outcome, cancellationToken);

    public Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _journal.Value.RecordGoneAsync(provider, instanceId, at, cancellationToken);

    public Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        _journal.Value.RecordKeptAsync(provider, instanceId, at, cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default) =>
        _journal.Value.ListOpenAsync(cancellationToken);
}
