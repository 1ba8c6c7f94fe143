namespace GpuCloud;

/// <summary>Whether a plan can be rented now, as far as the provider says.</summary>
public enum PlanAvailability
{
    /// <summary>The provider does not say.</summary>
    Unknown,

    /// <summary>The provider reports capacity for it.</summary>
    Available,

    /// <summary>The provider reports no capacity for it.</summary>
    Unavailable,
}
