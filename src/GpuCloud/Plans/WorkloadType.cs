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
