namespace GpuCloud;

/// <summary>One plan tried while creating the cheapest instance, and how it ended.</summary>
/// <param name="Provider">The plan's provider.</param>
/// <param name="PlanId">The plan's id.</param>
/// <param name="PlanName">The plan's name.</param>
/// <param name="Code">Why the attempt failed.</param>
/// <param name="Message">The failure's message.</param>
public sealed record PlanAttempt(string Provider, string PlanId, string PlanName, GpuCloudErrorCode Code, string Message);
