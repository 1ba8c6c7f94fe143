namespace GpuCloud.Providers;

/// <summary>Checks and readings every provider makes the same way.</summary>
internal static class ProviderRules
{
    private static readonly string[] OutOfStock = ["out of stock", "out-of-stock", "insufficient capacity", "no capacity"];
    private static readonly string[] NoFunds = ["insufficient funds", "insufficient balance"];

    /// <summary>The plan id of <paramref name="request"/>, which must name one, and a given plan must be <paramref name="provider"/>'s.</summary>
    /// <exception cref="GpuCloudException">With <see cref="GpuCloudErrorCode.InvalidRequest"/>, before anything is sent.</exception>
    public static string PlanIdFor(CreateInstanceRequest request, string provider)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Plan is { } given && !string.Equals(given.Provider, provider, StringComparison.OrdinalIgnoreCase))
            throw GpuCloudException.Invalid(nameof(request.Plan), $"the plan belongs to {given.Provider}, not {provider}.", provider);
        return request.TargetPlanId ?? throw GpuCloudException.Invalid(nameof(request.PlanId), "a plan is required.", provider);
    }

    /// <summary>
    /// The code a provider's own message implies beyond its HTTP status: no funds, or no capacity for the plan;
    /// <see langword="null"/> when it says neither.
    /// </summary>
    public static GpuCloudErrorCode? CodeFromMessage(string? message) =>
        message is null ? null
        : SaysAny(message, NoFunds) ? GpuCloudErrorCode.InsufficientFunds
        : SaysAny(message, OutOfStock) ? GpuCloudErrorCode.CapacityUnavailable
        : null;

    private static bool SaysAny(string message, string[] phrases) =>
        phrases.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase));
}
