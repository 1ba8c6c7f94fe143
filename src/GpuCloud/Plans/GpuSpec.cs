namespace GpuCloud;

/// <summary>The GPUs of a plan or instance, normalized across providers.</summary>
/// <param name="Vendor">The GPU vendor in lower case (<c>nvidia</c>, <c>amd</c>), or <see langword="null"/> when unknown.</param>
/// <param name="Model">The canonical model (<c>H100</c>, <c>A100</c>, <c>RTX 4090</c>), or the provider's raw name when the model is not in <see cref="GpuModelCatalog"/>.</param>
/// <param name="MemoryGiB">Memory per GPU in GiB, when known.</param>
/// <param name="Interconnect">How the GPUs are connected.</param>
/// <param name="Count">How many GPUs; 0 for a CPU-only plan.</param>
public sealed record GpuSpec(string? Vendor, string Model, double? MemoryGiB, GpuInterconnect Interconnect, int Count)
{
    /// <summary>Whether <see cref="Model"/> is a canonical name from <see cref="GpuModelCatalog"/> rather than a raw provider name.</summary>
    public bool IsKnownModel { get; init; }

    /// <summary>Total GPU memory in GiB (<see cref="MemoryGiB"/> times <see cref="Count"/>), when known.</summary>
    public double? TotalMemoryGiB => MemoryGiB * Count;

    /// <summary>A CPU-only specification.</summary>
    public static GpuSpec None { get; } = new(null, "none", null, GpuInterconnect.Unknown, 0);
}
