namespace GpuCloud;

/// <summary>How the GPUs of a plan are connected.</summary>
public enum GpuInterconnect
{
    /// <summary>Not stated by the provider.</summary>
    Unknown,

    /// <summary>PCI Express cards.</summary>
    PCIe,

    /// <summary>SXM modules (HGX boards, NVLink between GPUs).</summary>
    SXM,

    /// <summary>PCIe cards bridged with NVLink.</summary>
    NVLink,
}
