using Newtonsoft.Json;

// NSwag's generated clients expose this static partial hook; every client gets the same tolerant contracts.

namespace GpuCloud.Generated.Fluence
{
    public partial class FluenceClient
    {
        static partial void UpdateJsonSerializerSettings(JsonSerializerSettings settings) =>
            settings.ContractResolver = TolerantContractResolver.Instance;

        /// <summary>From now on, an unreadable item of any response list is left out and reported instead of failing the response.</summary>
        /// <param name="onSkipped">Told about every item left out.</param>
        public void SkipUnreadableListItems(System.Action<GpuCloud.Generated.SkippedListItem> onSkipped) =>
            _instanceSettings = GpuCloud.Generated.ListItemTolerance.Apply(CreateSerializerSettings(), onSkipped);
    }
}

namespace GpuCloud.Generated.Fluidstack.Management
{
    public partial class FluidstackManagementClient
    {
        static partial void UpdateJsonSerializerSettings(JsonSerializerSettings settings) =>
            settings.ContractResolver = TolerantContractResolver.Instance;

        /// <summary>From now on, an unreadable item of any response list is left out and reported instead of failing the response.</summary>
        /// <param name="onSkipped">Told about every item left out.</param>
        public void SkipUnreadableListItems(System.Action<GpuCloud.Generated.SkippedListItem> onSkipped) =>
            _instanceSettings = GpuCloud.Generated.ListItemTolerance.Apply(CreateSerializerSettings(), onSkipped);
    }
}

namespace GpuCloud.Generated.Fluidstack.Infrastructure
{
    public partial class FluidstackInfrastructureClient
    {
        static partial void UpdateJsonSerializerSettings(JsonSerializerSettings settings) =>
            settings.ContractResolver = TolerantContractResolver.Instance;

        /// <summary>From now on, an unreadable item of any response list is left out and reported instead of failing the response.</summary>
        /// <param name="onSkipped">Told about every item left out.</param>
        public void SkipUnreadableListItems(System.Action<GpuCloud.Generated.SkippedListItem> onSkipped) =>
            _instanceSettings = GpuCloud.Generated.ListItemTolerance.Apply(CreateSerializerSettings(), onSkipped);
    }
}
