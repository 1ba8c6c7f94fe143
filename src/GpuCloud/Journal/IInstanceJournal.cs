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

/// <summary>A create about to be sent. Carries no secret: no key, token, user data or environment.</summary>
public sealed record JournalIntent
{
    /// <summary>Unique to the create call; also on the instance where the provider keeps marks (Fluidstack tags).</summary>
    public required string Token { get; init; }

    /// <summary>The provider.</summary>
    public required string Provider { get; init; }

    /// <summary>The plan's id.</summary>
    public required string PlanId { get; init; }

    /// <summary>The instance's name.</summary>
    public required string Name { get; init; }

    /// <summary>The plan's price per hour, when known.</summary>
    public decimal? PricePerHour { get; init; }

    /// <summary>The currency of <see cref="PricePerHour"/>.</summary>
    public string? Currency { get; init; }

    /// <summary>When the create was sent (the client's clock).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>When the instance should be deleted, when the create asked for a <see cref="CreateInstanceRequest.MaxDuration"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Who created it (<see cref="GpuCloudOptions.Owner"/>).</summary>
    public required string Owner { get; init; }

    /// <summary>The creating process, to tell whether it still runs.</summary>
    public required JournalProcess Process { get; init; }

    /// <summary>
    /// Ids of instances with the same name that existed before the create, where the provider keeps no marks (Fluence):
    /// none of them is this create's, whatever a later list shows.
    /// </summary>
    public IReadOnlyList<string> ExistingIds { get; init; } = [];
}

/// <summary>A process on a host, told apart from a later process with the same id by its start time.</summary>
/// <param name="Host">The machine's name.</param>
/// <param name="Id">The process id.</param>
/// <param name="StartedAt">When the process started.</param>
public sealed record JournalProcess(string Host, int Id, DateTimeOffset StartedAt)
{
    /// <summary>The current process.</summary>
    public static JournalProcess Current { get; } = Describe();

    private static JournalProcess Describe()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new JournalProcess(Environment.MachineName, self.Id, self.StartTime.ToUniversalTime());
    }

    /// <summary>Whether this process still runs (only answerable on this host; on another, <see langword="null"/>).</summary>
    public bool? IsRunning()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Id);
            // A later process can reuse the id: only the same start time is the same process.
            return (process.StartTime.ToUniversalTime() - StartedAt.UtcDateTime).Duration() < TimeSpan.FromSeconds(1);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

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

/// <summary>The outcome of a create.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="InstanceId">The instance's id, when created.</param>
/// <param name="Error">Why it failed or is unknown.</param>
/// <param name="At">When the outcome was known.</param>
public sealed record JournalOutcome(JournalOutcomeKind Kind, string? InstanceId, GpuCloudErrorCode? Error, DateTimeOffset At);

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
