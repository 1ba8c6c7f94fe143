namespace GpuCloud;

/// <summary>How <see cref="GpuCloudClient.DeleteOwnedAsync"/> ended for one instance.</summary>
public enum SweepOutcome
{
    /// <summary>Deleted by this call, and seen gone.</summary>
    Deleted,

    /// <summary>Already deleted (by another sweep, or by hand) when this call looked; seen gone.</summary>
    AlreadyGone,

    /// <summary>
    /// Another process's sweep holds the instance's entry in the shared journal (<see cref="SweptInstance.ClaimedBy"/>) and
    /// deletes it; this call touched nothing.
    /// </summary>
    ClaimedByAnother,

    /// <summary>Its provider refused the delete because the instance is not running yet (Fluence deletes only active instances): sweep again once it runs.</summary>
    StillProvisioning,
}
