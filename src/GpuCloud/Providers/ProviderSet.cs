using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GpuCloud.Providers;

/// <summary>
/// The providers a client uses, looked up by name, and what was built for them (disposed with the set). Built from
/// the registrations in <see cref="GpuCloudOptions"/>, or from providers the caller built.
/// </summary>
internal sealed class ProviderSet : IDisposable
{
    private readonly List<IDisposable> _owned;

    private ProviderSet(IReadOnlyList<IGpuCloudProvider> providers, IReadOnlyDictionary<string, string> disabled, List<IDisposable> owned)
    {
        All = providers;
        Disabled = disabled;
        _owned = owned;
    }

    /// <summary>The providers in use, in registration order.</summary>
    public IReadOnlyList<IGpuCloudProvider> All { get; }

    /// <summary>Registered providers left out for lack of configuration, with the reason.</summary>
    public IReadOnlyDictionary<string, string> Disabled { get; }

    /// <summary>
    /// Builds every configured provider from its registration, each over its own handler stack.
    /// <paramref name="primaryHandler"/> gives the innermost handler for a provider (not disposed here), or
    /// <see langword="null"/> for <see cref="GpuCloudOptions.Transport"/> (not disposed either) or, without one, a
    /// <see cref="SocketsHttpHandler"/> per provider (disposed with the set).
    /// </summary>
    public static ProviderSet Build(GpuCloudOptions options, TimeProvider time, ILoggerFactory? loggers, Func<string, HttpMessageHandler>? primaryHandler)
    {
        if (primaryHandler is null && options.Transport is { } transport) primaryHandler = _ => transport;
        var providers = new List<IGpuCloudProvider>();
        var disabled = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var owned = new List<IDisposable>();
        foreach (var (registration, settings) in options.ProviderSettings)
        {
            if (!registration.IsConfigured(settings))
            {
                disabled[registration.Name] = registration.NotConfiguredReason;
                continue;
            }
            var handler = Pipeline(registration.Name, options, time, loggers, primaryHandler, owned);
            var logger = loggers?.CreateLogger("GpuCloud.Providers." + registration.Name) ?? NullLogger.Instance;
            var provider = registration.Create(settings, new ProviderContext(handler, time, logger));
            if (provider is IDisposable disposable) owned.Add(disposable);
            providers.Add(provider);
        }
        return new ProviderSet(providers, disabled, owned);
    }

    /// <summary>The provider's handler stack (resilience over the primary handler); what it creates is disposed with the set.</summary>
    private static HttpMessageHandler Pipeline(string provider, GpuCloudOptions options, TimeProvider time, ILoggerFactory? loggers,
        Func<string, HttpMessageHandler>? primaryHandler, List<IDisposable> owned)
    {
        var stack = HttpStack.Create(provider, options.Resilience, time, loggers?.CreateLogger("GpuCloud.Http." + provider), primaryHandler?.Invoke(provider));
        owned.Add(stack);
        return stack.Handler;
    }

    /// <summary>A set over providers the caller built (and disposes).</summary>
    /// <exception cref="ArgumentException">Two providers share a name.</exception>
    public static ProviderSet Of(IEnumerable<IGpuCloudProvider> providers)
    {
        var all = providers.ToArray();
        var duplicate = all.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Two providers are named '{duplicate.Key}'.", nameof(providers));
        return new ProviderSet(all, new Dictionary<string, string>(), []);
    }

    /// <summary>The provider named <paramref name="name"/>.</summary>
    /// <exception cref="GpuCloudException"><see cref="GpuCloudErrorCode.InvalidRequest"/> naming the configured ones (and why it is disabled, if it is).</exception>
    public IGpuCloudProvider Get(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw GpuCloudException.Invalid("provider", "a provider name is required.");
        foreach (var p in All)
            if (string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)) return p;
        var why = Disabled.TryGetValue(name.Trim(), out var reason) ? $" It is disabled: {reason}." : "";
        throw GpuCloudException.Invalid("provider", $"no provider named '{name}' is configured (configured: {string.Join(", ", All.Select(p => p.Name))}).{why}");
    }

    /// <summary>Every provider, or the one named.</summary>
    public IReadOnlyList<IGpuCloudProvider> OneOrAll(string? name) => name is null ? All : [Get(name)];

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
