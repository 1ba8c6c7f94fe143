namespace GpuCloud;

/// <summary>
/// Where a client records the instances it creates, so that they can be found again after the process that made them is
/// gone (a crash, a kill, a lost machine). <see cref="GpuCloudClient"/> writes an intent before a create request leaves,
/// the outcome after it, and the deletion once the instance was seen gone. Set one with <see cref="GpuCloudOptions.Journal"/>;
/// none by default. <c>GpuCloud.Journal.Sqlite</c> ships one kept in a local SQLite file; a team that shares accounts
/// across machines can implement this interface over a shared database.
/// </summary>
/// <remarks>
/// Implementations must be safe for concurrent use, make each record durable before returning, and never store secrets
/// (the records carry none). A failure is thrown as a <see cref="GpuCloudException"/> with
/// <see cref="GpuCloudErrorCode.JournalUnavailable"/>; a create whose intent cannot be recorded is not sent.
/// </remarks>
public interface IInstanceJournal
{
    /// <summary>Records that a create is about to be sent.</summary>
    /// <param name="intent">The create.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task RecordIntentAsync(JournalIntent intent, CancellationToken cancellationToken = default);

    /// <summary>Records how the create with <paramref name="token"/> ended.</summary>
    /// <param name="token">The intent's <see cref="JournalIntent.Token"/>.</param>
    /// <param name="outcome">The outcome.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task RecordOutcomeAsync(string token, JournalOutcome outcome, CancellationToken cancellationToken = default);

    /// <summary>Records that an instance was seen gone (terminated or no longer found) after it was deleted.</summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="at">When it was seen gone.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task RecordGoneAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the created instance was handed to its user on purpose (e.g. <c>gpucloud run</c> without release): when
    /// its creator exits it is not an orphan, and only its maximum duration can make it need attention.
    /// </summary>
    /// <param name="provider">The instance's provider.</param>
    /// <param name="instanceId">The instance's id.</param>
    /// <param name="at">When it was kept.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="GpuCloudException">
    /// <see cref="GpuCloudErrorCode.JournalUnavailable"/> also when no open entry records <paramref name="instanceId"/> as
    /// created (e.g. its outcome could not be written): a keep that was not recorded is never silent.
    /// </exception>
    Task RecordKeptAsync(string provider, string instanceId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// The creates that may still hold an instance: every entry not seen gone, except those that made nothing
    /// (<see cref="JournalOutcomeKind.Failed"/>) or were closed (<see cref="JournalOutcomeKind.Closed"/>), oldest first.
    /// A read takes no write lock and changes nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<IReadOnlyList<JournalEntry>> ListOpenAsync(CancellationToken cancellationToken = default);
}
