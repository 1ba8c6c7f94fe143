using GpuCloud;
using GpuCloud.Providers;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a provider that is not built in, through the same path as the built-in ones.</summary>
internal static class GpuCloudProviderServiceCollectionExtensions
{
    /// <summary>
    /// Makes <paramref name="registration"/> known to <c>AddGpuCloud</c>: its settings join <see cref="GpuCloudOptions"/>
    /// (so its environment variables and configuration section are read) and it gets its own named HTTP client. Call it
    /// before <c>AddGpuCloud</c>, whose configuration steps run after this one.
    /// </summary>
    public static IServiceCollection AddGpuCloudProvider(this IServiceCollection services, ProviderRegistration registration)
    {
        services.Configure<GpuCloudOptions>(options => options.AddProvider(registration));
        return services.AddProviderHttpClient(registration);
    }

    /// <summary>A provider's named HTTP client, as every provider gets it.</summary>
    internal static IServiceCollection AddProviderHttpClient(this IServiceCollection services, ProviderRegistration registration)
    {
        // The client is a long-lived singleton; pooled connections are recycled so DNS changes are seen.
        // The framework's own HTTP logging keeps raw header values (the API key, the bearer token) in its
        // structured state; our resilience handler logs every attempt without them instead.
        // GpuCloudOptions.Transport, when set, is the primary handler; the factory disposes the primary handlers it
        // rotates out, so it gets the caller's transport only on loan.
        services.AddHttpClient(GpuCloudServiceCollectionExtensions.HttpClientName(registration.Name))
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value.Transport is { } transport
                ? new BorrowedHandler(transport)
                : HttpStack.NewPrimaryHandler());
        return services;
    }
}
