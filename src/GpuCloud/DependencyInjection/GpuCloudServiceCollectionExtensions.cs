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

/// <summary>Validates <see cref="GpuCloudOptions"/> at start with messages that name the setting and never show a secret.</summary>
internal sealed class GpuCloudOptionsValidator : IValidateOptions<GpuCloudOptions>
{
    public ValidateOptionsResult Validate(string? name, GpuCloudOptions options)
    {
        var failures = new List<string>();
        void Check(Action check)
        {
            try { check(); }
            catch (ArgumentException ex) { failures.Add(ex.Message); }
        }
        Check(options.Validate);
        // The same checks the providers' constructors make, so a bad setting fails at start, not at first use.
        foreach (var (registration, settings) in options.ProviderSettings)
            if (registration.IsConfigured(settings))
                failures.AddRange(registration.Problems(settings, $"GpuCloud:{registration.SectionName}:").Select(p => p.Message));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
