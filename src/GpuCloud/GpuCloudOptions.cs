using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>
/// Options for <see cref="GpuCloudClient"/>: waiting and failover behaviour, plus one settings section per provider,
/// each defined by its provider as an extension property of these options.
/// </summary>
public sealed class GpuCloudOptions
{
    private readonly List<(ProviderRegistration Registration, object Settings)> _providers = [];

    /// <summary>Options with every built-in provider's defaults (none configured).</summary>
    public GpuCloudOptions()
    {
        foreach (var registration in ProviderRegistry.BuiltIn) AddProvider(registration);
    }

    /// <summary>The providers these options know, each with its settings, in registration order.</summary>
    internal IReadOnlyList<(ProviderRegistration Registration, object Settings)> ProviderSettings => _providers;

    /// <summary>Makes a provider known, with default settings; the same path serves the built-in providers and any other.</summary>
    /// <exception cref="ArgumentException">A provider with that name is already known.</exception>
    internal void AddProvider(ProviderRegistration registration)
    {
        if (_providers.Any(p => string.Equals(p.Registration.Name, registration.Name, StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"A provider named '{registration.Name}' is already registered.", nameof(registration));
        _providers.Add((registration, registration.NewOptions()));
    }

    /// <summary>A provider's settings (for the provider's own accessor).</summary>
    internal TOptions ProviderOptions<TOptions>(ProviderRegistration registration) where TOptions : class =>
        (TOptions)_providers[IndexOf(registration)].Settings;

    /// <summary>Replaces a provider's settings (for the provider's own accessor).</summary>
    internal void SetProviderOptions<TOptions>(ProviderRegistration registration, TOptions value) where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(value);
        _providers[IndexOf(registration)] = (registration, value);
    }

    private int IndexOf(ProviderRegistration registration)
    {
        var index = _providers.FindIndex(p => ReferenceEquals(p.Registration, registration));
        if (index < 0) AddProvider(registration);
        return index < 0 ? _providers.Count - 1 : index;
    }

    /// <summary>Retries, timeouts and circuit breaking for every provider request.</summary>
    public GpuCloudResilienceOptions Resilience { get; set; } = new();

    /// <summary>
    /// The innermost HTTP handler every provider sends through: yours to set up a proxy, client certificates,
    /// connection limits or a test double (e.g. a <see cref="SocketsHttpHandler"/> or RichardSzalay.MockHttp's
    /// handler). <see langword="null"/> (the default) means one <see cref="SocketsHttpHandler"/> per provider,
    /// created and disposed by the client.
    /// </summary>
    /// <remarks>
    /// GpuCloud puts its own handlers on top of it, per provider: authentication (API key, bearer token) and
    /// resilience (<see cref="Resilience"/>: retries, timeouts, circuit breaking); so the transport sees each
    /// attempt, and must not add retries or an <see cref="HttpClient.Timeout"/> of its own. It is shared by every
    /// provider and by every client built from these options, so it must be safe for concurrent use (the
    /// framework's handlers are), and it stays yours: no client disposes it; dispose it after the last client.
    /// With <c>AddGpuCloud</c>, it becomes the primary handler of each provider's named <c>IHttpClientFactory</c>
    /// client (<c>GpuCloud.&lt;provider&gt;</c>), below any handler you add there, and the factory's handler
    /// rotation never disposes it either. Not read from configuration.
    /// </remarks>
    public HttpMessageHandler? Transport { get; set; }

    /// <summary>
    /// How often <see cref="GpuCloudClient.WaitForStateAsync"/> polls once it has backed off from
    /// <see cref="MinPollInterval"/>, and while the readiness probe runs. Default 5 seconds.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The shortest wait between two polls of the provider, where a wait starts: after the first poll (at once) the
    /// wait polls after this interval, then doubles it up to <see cref="PollInterval"/>. Default 2 seconds; set it to
    /// <see cref="PollInterval"/> for a fixed interval. A <see cref="PollInterval"/> below it is used as is.
    /// </summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How a wait for <see cref="InstanceState.Running"/> checks that the SSH endpoint answers once the provider
    /// says running: <see cref="ReadinessProbe.SshBanner"/> (default) reads the server's SSH identification
    /// line, <see cref="ReadinessProbe.Tcp"/> only connects, <see cref="ReadinessProbe.None"/> trusts
    /// the provider. The probe costs the provider nothing; an endpoint on a private address is reported, not probed.
    /// </summary>
    public ReadinessProbe ReadinessProbe { get; set; } = ReadinessProbe.SshBanner;

    /// <summary>How long <see cref="GpuCloudClient.CreateCheapestAsync"/> waits for each instance to become ready. Default 15 minutes.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How many plans <see cref="GpuCloudClient.CreateCheapestAsync"/> tries at most. Default 5.</summary>
    public int MaxCreateAttempts { get; set; } = 5;

    /// <summary>How long cleanup of a failed or cancelled create may take, independent of the caller's token. Default 2 minutes.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Where creates are recorded so that what this client made can be found after its process is gone (see
    /// <see cref="IInstanceJournal"/>); none by default.
    /// </summary>
    public IInstanceJournal? Journal { get; set; }

    /// <summary>
    /// Who creates instances through this client: recorded in the journal and, where the provider keeps marks, on the
    /// instance (a tag <c>gpucloud-owner</c>). Default <c>user@host</c>; <c>GPUCLOUD_OWNER</c> in <see cref="FromEnvironment()"/>.
    /// </summary>
    public string Owner { get; set; } = $"{Environment.UserName}@{Environment.MachineName}";

    /// <summary>Checks the values; called by <see cref="GpuCloudClient"/>.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException("PollInterval must be positive.", nameof(PollInterval));
        if (MinPollInterval <= TimeSpan.Zero) throw new ArgumentException("MinPollInterval must be positive.", nameof(MinPollInterval));
        if (ReadyTimeout <= TimeSpan.Zero) throw new ArgumentException("ReadyTimeout must be positive.", nameof(ReadyTimeout));
        if (CleanupTimeout <= TimeSpan.Zero) throw new ArgumentException("CleanupTimeout must be positive.", nameof(CleanupTimeout));
        if (!Enum.IsDefined(ReadinessProbe)) throw new ArgumentException("ReadinessProbe is not a known probe.", nameof(ReadinessProbe));
        if (MaxCreateAttempts < 1) throw new ArgumentException("MaxCreateAttempts must be at least 1.", nameof(MaxCreateAttempts));
        if (string.IsNullOrWhiteSpace(Owner) || Owner.Length > 255 || Owner.Any(char.IsControl))
            throw new ArgumentException("Owner must be 1-255 characters without control characters.", nameof(Owner));
        Resilience.Validate();
    }

    /// <summary>
    /// Options from the environment: each provider reads its own variables (listed in the README's configuration
    /// section), <c>GPUCLOUD_OWNER</c> sets <see cref="Owner"/> (e.g. a CI runner's name), defaults elsewhere.
    /// </summary>
    /// <exception cref="ArgumentException">A variable holds a malformed URL or GUID; the message names it.</exception>
    public static GpuCloudOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Options from environment variables read through <paramref name="read"/> (see <see cref="FromEnvironment()"/>).</summary>
    /// <param name="read">Returns a variable's value, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A variable holds a malformed URL or GUID; the message names it.</exception>
    public static GpuCloudOptions FromEnvironment(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var options = new GpuCloudOptions();
        options.ApplyEnvironment(read);
        return options;
    }

    /// <summary>Sets what the environment variables give, provider by provider; unset or empty variables change nothing.</summary>
    internal void ApplyEnvironment(Func<string, string?> read)
    {
        foreach (var (registration, settings) in _providers) registration.ApplyEnvironment(settings, read);
        if (read(OwnerVariable) is { Length: > 0 } owner) Owner = owner;
    }

    /// <summary>The variable that sets <see cref="Owner"/>.</summary>
    internal const string OwnerVariable = "GPUCLOUD_OWNER";

    /// <summary>Shows the settings with every secret redacted.</summary>
    public override string ToString() =>
        $"GpuCloudOptions {{ {string.Concat(_providers.Select(p => $"{p.Registration.SectionName} = {p.Settings}, "))}PollInterval = {PollInterval}, ReadyTimeout = {ReadyTimeout}, ReadinessProbe = {ReadinessProbe}, MaxCreateAttempts = {MaxCreateAttempts} }}";
}
