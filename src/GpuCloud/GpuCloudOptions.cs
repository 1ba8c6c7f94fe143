using GpuCloud;
using GpuCloud.Providers;

namespace GpuCloud;

/// <summary>Options for <see cref="GpuCloudClient"/>: one section per provider, plus waiting and failover behaviour.</summary>
public sealed class GpuCloudOptions
{
    /// <summary>Fluence settings. Fluence is used when <see cref="FluenceOptions.ApiKey"/> is set.</summary>
    public FluenceOptions Fluence { get; set; } = new();

    /// <summary>Fluidstack settings. Fluidstack is used when <see cref="FluidstackOptions.Token"/> is set.</summary>
    public FluidstackOptions Fluidstack { get; set; } = new();

    /// <summary>Retries, timeouts and circuit breaking for every provider request.</summary>
    public GpuCloudResilienceOptions Resilience { get; set; } = new();

    /// <summary>How often <see cref="GpuCloudClient.WaitForStateAsync"/> polls. Default 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

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
    /// instance (Fluidstack tag <c>gpucloud-owner</c>). Default <c>user@host</c>.
    /// </summary>
    public string Owner { get; set; } = $"{Environment.UserName}@{Environment.MachineName}";

    /// <summary>Checks the values; called by <see cref="GpuCloudClient"/>.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentException("PollInterval must be positive.", nameof(PollInterval));
        if (ReadyTimeout <= TimeSpan.Zero) throw new ArgumentException("ReadyTimeout must be positive.", nameof(ReadyTimeout));
        if (CleanupTimeout <= TimeSpan.Zero) throw new ArgumentException("CleanupTimeout must be positive.", nameof(CleanupTimeout));
        if (!Enum.IsDefined(ReadinessProbe)) throw new ArgumentException("ReadinessProbe is not a known probe.", nameof(ReadinessProbe));
        if (MaxCreateAttempts < 1) throw new ArgumentException("MaxCreateAttempts must be at least 1.", nameof(MaxCreateAttempts));
        if (string.IsNullOrWhiteSpace(Owner) || Owner.Length > 255 || Owner.Any(char.IsControl))
            throw new ArgumentException("Owner must be 1-255 characters without control characters.", nameof(Owner));
        Resilience.Validate();
    }

    /// <summary>
    /// Options from the environment variables <c>FLUENCE_API_KEY</c>, <c>FLUENCE_BASE_URL</c>, <c>FLUIDSTACK_TOKEN</c>,
    /// <c>FLUIDSTACK_CLIENT_ID</c>, <c>FLUIDSTACK_CLIENT_SECRET</c>, <c>FLUIDSTACK_TOKEN_URL</c>,
    /// <c>FLUIDSTACK_PROJECT_ID</c> (one GUID, or <c>region=GUID</c> pairs), <c>FLUIDSTACK_ORG_ID</c> and <c>FLUIDSTACK_BASE_URL</c>
    /// (the Management API URL), defaults elsewhere.
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

    /// <summary>Sets what the environment variables give; unset or empty variables change nothing.</summary>
    internal void ApplyEnvironment(Func<string, string?> read)
    {
        string? Get(string name) => read(name) is { Length: > 0 } v ? v.Trim() : null;
        // On Unix "/path" parses as an absolute file: URI, so the scheme is checked too.
        Uri Url(string name, string value) => Uri.TryCreate(value, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)
            ? u : throw new ArgumentException($"{name} is not an absolute http(s) URL.", name);

        if (Get("FLUENCE_API_KEY") is { } key) Fluence.ApiKey = key;
        if (Get("FLUENCE_BASE_URL") is { } fluenceUrl) Fluence.BaseUrl = Url("FLUENCE_BASE_URL", fluenceUrl);
        if (Get("FLUIDSTACK_TOKEN") is { } token) Fluidstack.Token = token;
        if (Get("FLUIDSTACK_CLIENT_ID") is { } clientId) Fluidstack.ClientId = clientId;
        if (Get("FLUIDSTACK_CLIENT_SECRET") is { } secret) Fluidstack.ClientSecret = secret;
        if (Get("FLUIDSTACK_TOKEN_URL") is { } tokenUrl) Fluidstack.TokenUrl = Url("FLUIDSTACK_TOKEN_URL", tokenUrl);
        if (Get("FLUIDSTACK_BASE_URL") is { } managementUrl) Fluidstack.ManagementUrl = Url("FLUIDSTACK_BASE_URL", managementUrl);
        if (Get("FLUIDSTACK_PROJECT_ID") is { } project) ApplyFluidstackProjects(project);
        if (Get("FLUIDSTACK_ORG_ID") is { } organization) Fluidstack.OrganizationId = organization;
    }

    /// <summary>One GUID for every region, or <c>region=GUID</c> pairs separated by commas (Atlas projects are regional).</summary>
    private void ApplyFluidstackProjects(string text)
    {
        const string name = "FLUIDSTACK_PROJECT_ID";
        if (!text.Contains('=', StringComparison.Ordinal))
        {
            Fluidstack.ProjectId = Guid.TryParse(text, out var id) ? id : throw new ArgumentException($"{name} is not a GUID (or region=GUID pairs).", name);
            return;
        }
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !Guid.TryParse(parts[1], out var id))
                throw new ArgumentException($"{name}: '{pair}' is not region=GUID.", name);
            Fluidstack.ProjectIds[parts[0]] = id;
        }
    }

    /// <summary>Shows the settings with every secret redacted.</summary>
    public override string ToString() =>
        $"GpuCloudOptions {{ Fluence = {Fluence}, Fluidstack = {Fluidstack}, PollInterval = {PollInterval}, ReadyTimeout = {ReadyTimeout}, ReadinessProbe = {ReadinessProbe}, MaxCreateAttempts = {MaxCreateAttempts} }}";
}
