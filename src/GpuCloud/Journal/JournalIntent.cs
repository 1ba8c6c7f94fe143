namespace GpuCloud;

/// <summary>A create about to be sent. Carries no secret: no key, token, user data or environment.</summary>
public sealed record JournalIntent
{
    /// <summary>Unique to the create call; also on the instance where the provider keeps marks (Fluidstack tags).</summary>
    public required string Token { get; init; }

    /// <summary>The provider.</summary>
    public required string Provider { get; init; }

    /// <summary>The plan's id.</summary>
    public required string PlanId { get; init; }

    /// <summary>The instance's name.</summary>
    public required string Name { get; init; }

    /// <summary>The plan's price per hour, when known.</summary>
    public decimal? PricePerHour { get; init; }

    /// <summary>The currency of <see cref="PricePerHour"/>.</summary>
    public string? Currency { get; init; }

    /// <summary>When the create was sent (the client's clock).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>When the instance should be deleted, when the create asked for a <see cref="CreateInstanceRequest.MaxDuration"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Who created it (<see cref="GpuCloudOptions.Owner"/>).</summary>
    public required string Owner { get; init; }

    /// <summary>The creating process, to tell whether it still runs.</summary>
    public required JournalProcess Process { get; init; }

    /// <summary>
    /// Ids of instances with the same name that existed before the create, where the provider keeps no marks (Fluence):
    /// none of them is this create's, whatever a later list shows.
    /// </summary>
    public IReadOnlyList<string> ExistingIds { get; init; } = [];
}
