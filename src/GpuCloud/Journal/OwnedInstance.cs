namespace GpuCloud;

/// <summary>Why an instance this client owns (or may own) needs attention.</summary>
public enum OwnedReason
{
    /// <summary>Its maximum duration has passed (journal, or the provider's expiry mark).</summary>
    Expired,

    /// <summary>Created and never seen deleted, while the process that created it is gone without having handed it over (see <see cref="GpuCloudClient.KeepInstanceAsync"/>).</summary>
    CreatorGone,

    /// <summary>A create whose outcome was unknown (or whose process died before it knew) made it, as its token mark proves: it is now visible.</summary>
    UnknownOutcomeFound,

    /// <summary>Marked on the provider as created by this owner, but not in this journal: made elsewhere (another machine or journal).</summary>
    NotInJournal,

    /// <summary>
    /// Not proved: a create whose outcome is unknown may have made it, because it has that create's name, was not there
    /// before it, and was made around the same time (<see cref="OwnedInstance.Create"/> is that create). Someone else's
    /// same-named instance looks the same, so it is only shown; if it is yours, delete it by id.
    /// </summary>
    MayBeYours,
}

/// <summary>How an instance is known to be this client's.</summary>
public enum OwnershipProof
{
    /// <summary>Matched by name and creation time alone (<see cref="OwnedReason.MayBeYours"/>): evidence, not proof.</summary>
    NameAndTime,

    /// <summary>The journal recorded its id as a create's result: proof.</summary>
    JournalId,

    /// <summary>It carries the mark of a create this journal recorded (its token): proof.</summary>
    CreateToken,

    /// <summary>It carries this owner's mark, with a token this journal does not hold: made through another journal.</summary>
    OwnerMark,
}

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

/// <summary>A journal entry still open with no instance to show: why it stays open, and until when.</summary>
/// <param name="Create">The create.</param>
/// <param name="Why">Why it is still open.</param>
/// <param name="OpenUntil">When it closes on its own, if nothing is proved before.</param>
public sealed record OpenCreate(JournalIntent Create, string Why, DateTimeOffset OpenUntil);

/// <summary>What <see cref="GpuCloudClient.ListOwnedAsync"/> found.</summary>
/// <param name="Instances">Instances that need attention, oldest first.</param>
/// <param name="Failures">Providers whose instances could not be listed or confirmed (their entries are left as they are).</param>
public sealed record OwnedSearchResult(IReadOnlyList<OwnedInstance> Instances, IReadOnlyList<ProviderFailure> Failures)
{
    /// <summary>Journal entries with an unknown outcome that stay open without an instance to show, each with why and until when.</summary>
    public IReadOnlyList<OpenCreate> Open { get; init; } = [];
}
