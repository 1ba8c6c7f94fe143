namespace GpuCloud;

/// <summary>How a create ended, as far as the client knows.</summary>
public enum JournalOutcomeKind
{
    /// <summary>The provider made the instance (<see cref="JournalOutcome.InstanceId"/>).</summary>
    Created,

    /// <summary>
    /// Nothing was made: the provider refused the create (or it was never sent), or its answer was lost and a lookup
    /// afterwards listed the provider and found nothing the create could have made. The entry is closed.
    /// </summary>
    Failed,

    /// <summary>The answer was lost and the instance was not found: it may exist.</summary>
    Unknown,

    /// <summary>Created, then handed to its user on purpose (<see cref="IInstanceJournal.RecordKeptAsync"/>): not an orphan when its creator exits.</summary>
    Kept,

    /// <summary>
    /// The outcome stayed unknown and no instance was proved the create's within its window (see
    /// <see cref="GpuCloudClient.ListOwnedAsync"/>): the entry is closed and no longer matched against any instance.
    /// </summary>
    Closed,
}
