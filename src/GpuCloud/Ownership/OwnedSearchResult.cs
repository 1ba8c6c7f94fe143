namespace GpuCloud;

/// <summary>What <see cref="GpuCloudClient.ListOwnedAsync"/> found.</summary>
/// <param name="Instances">Instances that need attention, oldest first.</param>
/// <param name="Failures">Providers whose instances could not be listed or confirmed (their entries are left as they are).</param>
public sealed record OwnedSearchResult(IReadOnlyList<OwnedInstance> Instances, IReadOnlyList<ProviderFailure> Failures)
{
    /// <summary>Journal entries with an unknown outcome that stay open without an instance to show, each with why and until when.</summary>
    public IReadOnlyList<OpenCreate> Open { get; init; } = [];
}
