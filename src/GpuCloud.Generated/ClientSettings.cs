using Newtonsoft.Json;

// NSwag's generated clients expose this static partial hook; every client gets the same tolerant contracts.

namespace GpuCloud.Generated.Fluence
{
    public partial class FluenceClient
    {
        static partial void UpdateJsonSerializerSettings(JsonSerializerSettings settings) =>
            settings.ContractResolver = TolerantContractResolver.Instance;
    }
}

namespace GpuCloud.Generated.Fluidstack.Management
{
    public partial class FluidstackManagementClient
    {
        static partial void UpdateJsonSerializerSettings(JsonSerializerSettings settings) =>
            settings.ContractResolver = TolerantContractResolver.Instance;
    }
}

namespace GpuCloud.Generated.Fluidstack.Infrastructure
{
    public partial class FluidstackInfrastructureClient
    {
        static partial void UpdateJsonSerializerSettings(JsonSerializerSettings settings) =>
            settings.ContractResolver = TolerantContractResolver.Instance;
    }
}
