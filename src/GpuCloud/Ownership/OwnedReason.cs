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
