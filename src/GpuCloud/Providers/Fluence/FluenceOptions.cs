namespace GpuCloud.Providers.Fluence;

/// <summary>Settings for the Fluence GPU Cloud API.</summary>
public sealed class FluenceOptions
{
    /// <summary>The default API host.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.fluence.dev");

    /// <summary>The API key, sent as <c>X-API-KEY</c>. Never logged or shown by <see cref="ToString"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The API host (GPU paths live under <c>/gpu</c>, SSH keys under <c>/v1/ssh_keys</c>). Default <c>https://api.fluence.dev</c>.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The time limit for one HTTP request. Default 100 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Checks the settings the provider needs; the constructor and dependency injection's start-up validation both call it.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message names it and never shows the key.</exception>
    public void Validate() => Http.EndpointRules.ThrowIfAny(Problems("Fluence."));

    /// <summary>Every problem with the settings, each naming its setting as <paramref name="prefix"/> + name.</summary>
    internal IReadOnlyList<ArgumentException> Problems(string prefix)
    {
        var checks = new Action[]
        {
            () => Http.EndpointRules.RequireHeaderSecret(ApiKey, prefix + nameof(ApiKey)),
            () => Http.EndpointRules.RequireHttps(BaseUrl, prefix + nameof(BaseUrl)),
            () => { if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException($"{prefix}{nameof(RequestTimeout)} must be positive.", prefix + nameof(RequestTimeout)); },
        };
        return Http.EndpointRules.Collect(checks);
    }

    /// <summary>Whether enough is configured to use Fluence.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>Shows the settings with the API key redacted.</summary>
    public override string ToString() =>
        $"FluenceOptions {{ ApiKey = {(IsConfigured ? "(set)" : "(not set)")}, BaseUrl = {BaseUrl}, RequestTimeout = {RequestTimeout} }}";
}
