using GpuCloud;
using GpuCloud.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="GpuCloudClient"/> with options, <c>IHttpClientFactory</c> handlers, resilience and logging.</summary>
public static class GpuCloudServiceCollectionExtensions
{
    /// <summary>The configuration section read by <see cref="AddGpuCloud(IServiceCollection, IConfiguration)"/>.</summary>
    public const string SectionName = "GpuCloud";

    /// <summary>The <c>IHttpClientFactory</c> client name of each provider (<c>GpuCloud.</c> + its name); configure it to add your own handlers.</summary>
    /// <param name="provider">The provider's name.</param>
    public static string HttpClientName(string provider) => "GpuCloud." + provider;

    /// <summary>
    /// Registers a singleton <see cref="GpuCloudClient"/> configured from the providers' environment variables (see
    /// <see cref="GpuCloudOptions.FromEnvironment()"/>) and then from <paramref name="configuration"/>: its <c>GpuCloud</c>
    /// section if it has one, else the configuration itself; each provider reads its own subsection (e.g. <c>GpuCloud:Fluence</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The application's configuration, or the GpuCloud section of it.</param>
    public static IServiceCollection AddGpuCloud(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        IConfiguration source = section.Exists() ? section : configuration;
        return services.AddGpuCloudCore(builder => builder.Configure(options =>
        {
            source.Bind(options);
            foreach (var (registration, settings) in options.ProviderSettings) source.GetSection(registration.SectionName).Bind(settings);
        }));
    }

    /// <summary>Registers a singleton <see cref="GpuCloudClient"/> configured from the environment variables and then by <paramref name="configure"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    public static IServiceCollection AddGpuCloud(this IServiceCollection services, Action<GpuCloudOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddGpuCloudCore(builder => builder.Configure(configure));
    }

    private static IServiceCollection AddGpuCloudCore(this IServiceCollection services, Action<OptionsBuilder<GpuCloudOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Environment first, so configuration and code override it.
        var builder = services.AddOptions<GpuCloudOptions>().Configure(o => o.ApplyEnvironment(Environment.GetEnvironmentVariable));
        configure(builder);
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GpuCloudOptions>, GpuCloudOptionsValidator>());

        foreach (var registration in ProviderRegistry.BuiltIn) services.AddProviderHttpClient(registration);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;
            var handlers = sp.GetRequiredService<IHttpMessageHandlerFactory>();
            return new GpuCloudClient(options, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>(),
                provider => handlers.CreateHandler(HttpClientName(provider)));
        });
        return services;
    }
}
