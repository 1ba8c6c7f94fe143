namespace GpuCloud.Providers;

/// <summary>Settings for the Fluence GPU Cloud API.</summary>
public sealed class FluenceOptions
{
    /// <summary>The default API host.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.fluence.dev");

    private Uri _baseUrl = DefaultBaseUrl;

    /// <summary>
    /// The API key, sent both as <c>X-API-KEY: key</c> and as <c>Authorization: X-API-KEY key</c>.
    /// Never logged or shown by <see cref="ToString"/>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The API host (GPU paths live under <c>/gpu</c>, SSH keys under <c>/v1/ssh_keys</c>). Default <c>https://api.fluence.dev</c>.
    /// The GPU docs' base URL <c>https://api.fluence.dev/gpu</c> is accepted too: a trailing <c>/gpu</c> and trailing slashes are removed.
    /// </summary>
    public Uri BaseUrl
    {
        get => _baseUrl;
        set => _baseUrl = NormalizeBaseUrl(value);
    }

    /// <summary>Checks the settings the provider needs; the constructor and dependency injection's start-up validation both call it.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message names it and never shows the key.</exception>
    public void Validate() => InputRules.ThrowIfAny(Problems("Fluence."));

    /// <summary>Every problem with the settings, each naming its setting as <paramref name="prefix"/> + name.</summary>
    internal IReadOnlyList<ArgumentException> Problems(string prefix) => new OptionProblems(prefix)
        .Check(nameof(ApiKey), name => InputRules.RequireHeaderSecret(ApiKey, name))
        .Check(nameof(BaseUrl), name => InputRules.RequireHttps(BaseUrl, name))
        .ToList();

    /// <summary>
    /// The host the API paths are appended to. The Fluence GPU docs print <c>https://api.fluence.dev/gpu</c> as the base,
    /// while the main API (SSH keys) and our paths start at the host, so a copied docs URL must not become <c>/gpu/gpu/...</c>.
    /// </summary>
    private static Uri NormalizeBaseUrl(Uri value)
    {
        if (value is null || !value.IsAbsoluteUri) return value!;
        var path = value.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/gpu", StringComparison.OrdinalIgnoreCase)) path = path[..^"/gpu".Length].TrimEnd('/');
        return new Uri(value.GetLeftPart(UriPartial.Authority) + path);
    }

    /// <summary>Whether enough is configured to use Fluence.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>Shows the settings with the API key redacted.</summary>
    public override string ToString() =>
        $"FluenceOptions {{ ApiKey = {(IsConfigured ? "(set)" : "(not set)")}, BaseUrl = {BaseUrl} }}";
}
