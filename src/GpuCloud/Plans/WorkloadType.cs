namespace GpuCloud;

/// <summary>How a plan's GPUs are delivered.</summary>
public enum WorkloadType
{
    /// <summary>A container on a shared host (Fluence containers).</summary>
    Container,

    /// <summary>A virtual machine (Fluence VMs, Fluidstack instances).</summary>
    VirtualMachine,

    /// <summary>A whole physical server (Fluence bare metal).</summary>
    BareMetal,
}

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
