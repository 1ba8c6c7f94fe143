using GpuCloud.Providers.Fluence;
using GpuCloud.Providers.Fluidstack;

namespace GpuCloud;

/// <summary>Options for <see cref="GpuCloudClient"/>: one section per provider, plus waiting and failover behaviour.</summary>
public sealed class GpuCloudOptions
{
    /// <summary>Fluence settings. Fluence is used when <see cref="FluenceOptions.ApiKey"/> is set.</summary>
    public FluenceOptions Fluence { get; set; } = new();

    /// <summary>Fluidstack settings. Fluidstack is used when <see cref="FluidstackOptions.Token"/> is set.</summary>
    public FluidstackOptions Fluidstack { get; set; } = new();

    /// <summary>How often <see cref="GpuCloudClient.WaitForStateAsync"/> polls. Default 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long <see cref="GpuCloudClient.CreateCheapestAsync"/> waits for each instance to become ready. Default 15 minutes.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many plans <see cref="GpuCloudClient.CreateCheapestAsync"/> tries at most. Default 5.</summary>
    public int MaxCreateAttempts { get; set; } = 5;

    /// <summary>How long cleanup of a failed or cancelled create may take, independent of the caller's token. Default 2 minutes.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Checks the values; called by <see cref="GpuCloudClient"/>.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException("PollInterval must be positive.", nameof(PollInterval));
        if (ReadyTimeout <= TimeSpan.Zero) throw new ArgumentException("ReadyTimeout must be positive.", nameof(ReadyTimeout));
        if (CleanupTimeout <= TimeSpan.Zero) throw new ArgumentException("CleanupTimeout must be positive.", nameof(CleanupTimeout));
        if (MaxCreateAttempts < 1) throw new ArgumentException("MaxCreateAttempts must be at least 1.", nameof(MaxCreateAttempts));
    }
}
