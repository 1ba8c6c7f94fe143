namespace GpuCloud;

/// <summary>The outcome of a create.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="InstanceId">The instance's id, when created.</param>
/// <param name="Error">Why it failed or is unknown.</param>
/// <param name="At">When the outcome was known.</param>
public sealed record JournalOutcome(JournalOutcomeKind Kind, string? InstanceId, GpuCloudErrorCode? Error, DateTimeOffset At);
