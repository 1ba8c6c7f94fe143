namespace GpuCloud;

/// <summary>An instance this client created (by its journal or the provider's marks), or may have created, that needs attention.</summary>
/// <param name="Instance">The instance, as the provider lists it.</param>
/// <param name="Reason">Why it needs attention.</param>
/// <param name="Age">How long it has existed, from the provider's creation time or else the journal's.</param>
/// <param name="CostSoFar">Price per hour times age, when the price is known.</param>
/// <param name="Currency">The currency of <paramref name="CostSoFar"/>.</param>
/// <param name="ExpiresAt">When it should be deleted, when a maximum duration was asked.</param>
public sealed record OwnedInstance(GpuInstance Instance, OwnedReason Reason, TimeSpan Age, decimal? CostSoFar, string? Currency, DateTimeOffset? ExpiresAt)
{
    /// <summary>How it is known to be this client's; only <see cref="IsProved"/> instances may be deleted without the user naming them.</summary>
    public OwnershipProof Proof { get; init; }

    /// <summary>The journal's create it belongs to (or, for <see cref="OwnedReason.MayBeYours"/>, may belong to); <see langword="null"/> when known only from a mark.</summary>
    public JournalIntent? Create { get; init; }

    /// <summary>
    /// Whether this journal proves it is its own: it recorded the instance's id, or the instance carries the token of a
    /// create it recorded. Only such an instance is deleted by a sweep.
    /// </summary>
    public bool IsProved => Proof is OwnershipProof.JournalId or OwnershipProof.CreateToken;
}
