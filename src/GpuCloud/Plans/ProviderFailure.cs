namespace GpuCloud;

/// <summary>A provider, or one region of a provider, that could not be searched.</summary>
/// <param name="Provider">The provider's name.</param>
/// <param name="Region">The region that failed, or <see langword="null"/> when the whole provider did.</param>
/// <param name="Error">The failure.</param>
public sealed record ProviderFailure(string Provider, string? Region, GpuCloudException Error);
