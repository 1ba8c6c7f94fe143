namespace GpuCloud;

/// <summary>
/// A journal shared by several machines (a team, a fleet of CI runners on one account), such as
/// <c>GpuCloud.Journal.Postgres</c>. Two things a single machine's journal gets for free need the journal's help there:
/// <list type="bullet">
/// <item><b>Liveness.</b> Whether a creator on another machine still runs cannot be asked of that machine, so a process that
/// creates holds a <em>lease</em> in the journal, renewed while it runs (<see cref="RenewLeaseAsync"/>). Its entries
/// carry the lease's end (<see cref="JournalEntry.LeaseUntil"/>): once that has passed, the creator is gone, on any machine.</item>
/// <item><b>Claims.</b> Before a sweep deletes an instance it claims the instance's entry (<see cref="TryClaimAsync"/>), so
/// that of two sweeps on two machines only one deletes it; the other is told who holds it.</item>
/// </list>
/// </summary>
/// <remarks>
/// The lease's end is written by the creator's clock and read by the sweeper's: the machines' clocks must agree to well
/// within the lease's margin (it is renewed at a quarter of its length), as NTP keeps them.
/// </remarks>
public interface ISharedInstanceJournal : IInstanceJournal
{
    /// <summary>
    /// Records that <see cref="JournalLease.Process"/> runs until at least <see cref="JournalLease.Until"/>. Called before the
    /// process's first create is recorded (a failure stops that create) and then periodically while it runs.
    /// </summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task RenewLeaseAsync(JournalLease lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the entry of the create <paramref name="token"/> for a sweep, atomically: the claim is taken when the entry is
    /// unclaimed, its claim ended before <paramref name="now"/>, or the claim is already this process's.
    /// </summary>
    /// <param name="token">The create's <see cref="JournalIntent.Token"/>.</param>
    /// <param name="claim">Who claims it, and until when.</param>
    /// <param name="now">The claimer's time, to judge whether another claim has ended.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="null"/> when the claim is now <paramref name="claim"/>'s; otherwise the claim that holds the entry.</returns>
    Task<JournalLease?> TryClaimAsync(string token, JournalLease claim, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Gives up a claim taken by <see cref="TryClaimAsync"/> (a delete that failed or must wait), if it is still <paramref name="claim"/>'s.</summary>
    /// <param name="token">The create's <see cref="JournalIntent.Token"/>.</param>
    /// <param name="claim">The claim to give up.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task ReleaseClaimAsync(string token, JournalLease claim, CancellationToken cancellationToken = default);
}
