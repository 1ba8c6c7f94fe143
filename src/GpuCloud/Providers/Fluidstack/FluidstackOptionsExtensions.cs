using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>Fluidstack's settings on <see cref="GpuCloudOptions"/> (in the <c>GpuCloud</c> namespace, so they are found without a using).</summary>
public static class FluidstackOptionsExtensions
{
    extension(GpuCloudOptions options)
    {
        /// <summary>Fluidstack settings. Fluidstack is used when <see cref="FluidstackOptions.Token"/>, or a client id and secret, are set.</summary>
        public FluidstackOptions Fluidstack
        {
            get => options.ProviderOptions<FluidstackOptions>(FluidstackRegistration.Instance);
            set => options.SetProviderOptions(FluidstackRegistration.Instance, value);
        }
    }
}
