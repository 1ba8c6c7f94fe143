using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>Fluence's settings on <see cref="GpuCloudOptions"/> (in the <c>GpuCloud</c> namespace, so they are found without a using).</summary>
public static class FluenceOptionsExtensions
{
    extension(GpuCloudOptions options)
    {
        /// <summary>Fluence settings. Fluence is used when <see cref="FluenceOptions.ApiKey"/> is set.</summary>
        public FluenceOptions Fluence
        {
            get => options.ProviderOptions<FluenceOptions>(FluenceRegistration.Instance);
            set => options.SetProviderOptions(FluenceRegistration.Instance, value);
        }
    }
}
