namespace GpuCloud;

/// <summary>What <see cref="GpuCloudClient.DeleteOwnedAsync"/> did with one instance.</summary>
/// <param name="Owned">The instance, as <see cref="GpuCloudClient.ListOwnedAsync"/> found it.</param>
/// <param name="Outcome">How it ended.</param>
public sealed record SweptInstance(OwnedInstance Owned, SweepOutcome Outcome)
{
    /// <summary>Whose sweep holds it, when <see cref="SweepOutcome.ClaimedByAnother"/>.</summary>
    public JournalLease? ClaimedBy { get; init; }

    /// <summary>The provider's refusal, when <see cref="SweepOutcome.StillProvisioning"/>.</summary>
    public GpuCloudException? Refusal { get; init; }
}
