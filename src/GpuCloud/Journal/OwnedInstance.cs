namespace GpuCloud;

/// <summary>Why an instance this client owns needs attention.</summary>
public enum OwnedReason
{
    /// <summary>Its maximum duration has passed (journal, or the provider's expiry mark).</summary>
    Expired,

    /// <summary>Created and never seen deleted, while the process that created it is gone without having handed it over (see <see cref="GpuCloudClient.KeepInstanceAsync"/>).</summary>
    CreatorGone,

    /// <summary>A create whose outcome was unknown (or whose process died before it knew) made it: it is now visible.</summary>
    UnknownOutcomeFound,

    /// <summary>Marked on the provider as created by this owner, but not in this journal: made elsewhere (another machine or journal).</summary>
    NotInJournal,
}

/// <summary>An instance this client created (by its journal or the provider's marks) that needs attention.</summary>
/// <param name="Instance">The instance, as the provider lists it.</param>
/// <param name="Reason">Why it needs attention.</param>
/// <param name="Age">How long it has existed, from the provider's creation time or else the journal's.</param>
/// <param name="CostSoFar">Price per hour times age, when the price is known.</param>
/// <param name="Currency">The currency of <paramref name="CostSoFar"/>.</param>
/// <param name="ExpiresAt">When it should be deleted, when a maximum duration was asked.</param>
public sealed record OwnedInstance(GpuInstance Instance, OwnedReason Reason, TimeSpan Age, decimal? CostSoFar, string? Currency, DateTimeOffset? ExpiresAt);

/// <summary>What <see cref="GpuCloudClient.ListOwnedAsync"/> found.</summary>
/// <param name="Instances">Instances that need attention, oldest first.</param>
/// <param name="Failures">Providers whose instances could not be listed (their entries are left as they are).</param>
public sealed record OwnedSearchResult(IReadOnlyList<OwnedInstance> Instances, IReadOnlyList<ProviderFailure> Failures);
