using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

/// <summary>FluenceProvider over MockHttp: plans, instances, states, SSH keys and the requests it sends.</summary>
public partial class FluenceProviderTests
{
    private static GpuPlan ContainerPlan() => new()
    {
        Provider = "fluence",
        Id = "container:" + H200PlanId,
        Name = "h200-141gi-sxm-1gpu-16cpu-128gi-120gi",
        Workload = WorkloadType.Container,
        Gpu = GpuModelCatalog.Parse("h200", 1, "nvidia", "141Gi", "SXM"),
        PricePerHour = 2.96m,
        Currency = "USDC",
        Locations = ["US"],
    };

    private static GpuPlan VmPlan() => new()
    {
        Provider = "fluence",
        Id = "vm:" + A100PcieOption,
        Name = "1x A100 massed-compute us-central-3",
        Workload = WorkloadType.VirtualMachine,
        Gpu = GpuModelCatalog.Parse("a100", 1, "nvidia", "80Gi", "pcie"),
        PricePerHour = 1.07m,
        Currency = "USDC",
        Locations = ["us-central-3"],
        OsImages = ["Ubuntu Server 22.04"],
    };
}
