namespace GpuCloud;

/// <summary>One create as the journal knows it.</summary>
/// <param name="Intent">What was sent.</param>
/// <param name="Outcome">How it ended; <see langword="null"/> when the process stopped before it knew.</param>
/// <param name="GoneAt">When the instance was seen gone; <see langword="null"/> while it may still exist.</param>
public sealed record JournalEntry(JournalIntent Intent, JournalOutcome? Outcome, DateTimeOffset? GoneAt)
{
    /// <summary>
    /// When the lease of the creating process ends, where the journal keeps leases (<see cref="ISharedInstanceJournal"/>);
    /// <see langword="null"/> where it does not, or the process holds none. Once it has passed, the creator is gone.
    /// </summary>
    public DateTimeOffset? LeaseUntil { get; init; }
}
