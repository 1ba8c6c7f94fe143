using Microsoft.Extensions.Logging;

namespace GpuCloud.Providers;

/// <summary>
/// Everything shared code needs to know about one provider, owned by the provider's folder: its name, its options
/// type and configuration section, its environment variables, when it counts as configured, and how it is built.
/// <see cref="GpuCloudOptions"/>, <see cref="GpuCloudClient"/> and <c>AddGpuCloud</c> work only through this.
/// </summary>
internal abstract class ProviderRegistration
{
    /// <summary>The provider's name in lower case; the <c>Provider</c> of everything it returns.</summary>
    public abstract string Name { get; }

    /// <summary>Its configuration section under <c>GpuCloud</c> (e.g. <c>GpuCloud:Fluence</c>).</summary>
    public abstract string SectionName { get; }

    /// <summary>The type of its settings.</summary>
    public abstract Type OptionsType { get; }

    /// <summary>Why it is left out when not configured, naming the settings that would enable it.</summary>
    public abstract string NotConfiguredReason { get; }

    /// <summary>New settings with the provider's defaults.</summary>
    public abstract object NewOptions();

    /// <summary>Applies the provider's environment variables; unset or empty ones change nothing.</summary>
    /// <exception cref="ArgumentException">A variable is malformed; the message names it.</exception>
    public abstract void ApplyEnvironment(object options, Func<string, string?> read);

    /// <summary>Whether enough is set to use the provider.</summary>
    public abstract bool IsConfigured(object options);

    /// <summary>Every problem with the settings, each naming its setting as <paramref name="prefix"/> + name.</summary>
    public abstract IReadOnlyList<ArgumentException> Problems(object options, string prefix);

    /// <summary>Builds the provider over <paramref name="context"/>'s HTTP handler (resilience included).</summary>
    public abstract IGpuCloudProvider Create(object options, ProviderContext context);
}

/// <summary>A registration with typed settings.</summary>
/// <typeparam name="TOptions">The provider's settings.</typeparam>
internal abstract class ProviderRegistration<TOptions> : ProviderRegistration where TOptions : class, new()
{
    public sealed override Type OptionsType => typeof(TOptions);

    public sealed override object NewOptions() => new TOptions();

    public sealed override void ApplyEnvironment(object options, Func<string, string?> read) => ApplyEnvironment((TOptions)options, read);

    public sealed override bool IsConfigured(object options) => IsConfigured((TOptions)options);

    public sealed override IReadOnlyList<ArgumentException> Problems(object options, string prefix) => Problems((TOptions)options, prefix);

    public sealed override IGpuCloudProvider Create(object options, ProviderContext context) => Create((TOptions)options, context);

    protected abstract void ApplyEnvironment(TOptions options, Func<string, string?> read);

    protected abstract bool IsConfigured(TOptions options);

    protected abstract IReadOnlyList<ArgumentException> Problems(TOptions options, string prefix);

    protected abstract IGpuCloudProvider Create(TOptions options, ProviderContext context);

    /// <summary>A variable's trimmed value, or <see langword="null"/> when unset or empty.</summary>
    protected static string? Read(Func<string, string?> read, string name) => read(name) is { Length: > 0 } v ? v.Trim() : null;

    /// <summary>An absolute http(s) URL from a variable. (On Unix "/path" parses as an absolute file: URI, so the scheme is checked too.)</summary>
    protected static Uri ReadUrl(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)
            ? u : throw new ArgumentException($"{name} is not an absolute http(s) URL.", name);
}

/// <summary>What a provider is built from: its HTTP handler (resilience included; owned by the client), the clock, its logger.</summary>
internal sealed record ProviderContext(HttpMessageHandler Handler, TimeProvider Time, ILogger Logger);
