namespace GpuCloud.Providers;

/// <summary>Settings for Fluidstack Atlas (the global Management API and the regional Infrastructure APIs).</summary>
public sealed class FluidstackOptions
{
    /// <summary>The default Management API base URL.</summary>
    public static readonly Uri DefaultManagementUrl = new("https://api.atlas.fluidstack.io/api/v1alpha1");

    /// <summary>The default OAuth2 token endpoint.</summary>
    public static readonly Uri DefaultTokenUrl = new("https://oauth.fluidstack.io/oauth/token");

    /// <summary>The default OAuth2 audience.</summary>
    public const string DefaultAudience = "https://api.fluidstack.io";

    /// <summary>A static bearer token (an Atlas access token). Used instead of client credentials when set. Never logged or shown by <see cref="ToString"/>.</summary>
    public string? Token { get; set; }

    /// <summary>The OAuth2 client id, for the client-credentials flow.</summary>
    public string? ClientId { get; set; }

    /// <summary>The OAuth2 client secret, for the client-credentials flow. Never logged or shown by <see cref="ToString"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The OAuth2 token endpoint. Default <c>https://oauth.fluidstack.io/oauth/token</c>.</summary>
    public Uri TokenUrl { get; set; } = DefaultTokenUrl;

    /// <summary>The OAuth2 audience. Default <c>https://api.fluidstack.io</c>.</summary>
    public string Audience { get; set; } = DefaultAudience;

    /// <summary>How long before its expiry a cached OAuth2 token is refreshed. Default 60 seconds.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The Management API base URL. Default <c>https://api.atlas.fluidstack.io/api/v1alpha1</c>.</summary>
    public Uri ManagementUrl { get; set; } = DefaultManagementUrl;

    /// <summary>
    /// The project for every region (sent as <c>X-PROJECT-ID</c>); needed for instances and for capacity in plan searches.
    /// Atlas projects are regional: with several regions, give <see cref="ProjectIds"/> instead, or leave both unset to
    /// use the one project each region lists.
    /// </summary>
    public Guid? ProjectId { get; set; }

    /// <summary>
    /// The project of each region, by region name (e.g. <c>eu-1</c>); wins over <see cref="ProjectId"/>. A region with no
    /// id here or there uses the project its regional <c>/projects</c> lists when there is exactly one.
    /// </summary>
    public IDictionary<string, Guid> ProjectIds { get; set; } = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The organization, sent as <c>X-ORG-ID</c> on every call when set (accounts in several organizations).</summary>
    public string? OrganizationId { get; set; }

    /// <summary>Only these regions (by name); empty means every region the Management API lists.</summary>
    public IList<string> Regions { get; set; } = [];

    /// <summary>
    /// Prices per hour by instance type name (e.g. <c>h100-hgx-80gb.8x</c> = 23.92). The Atlas API publishes no
    /// prices, so plans have no price unless one is given here: in code, in configuration
    /// (<c>GpuCloud:Fluidstack:PricePerHour:h100-hgx-80gb.8x</c> = <c>23.92</c>), or in the environment
    /// (<c>FLUIDSTACK_PRICES=h100-hgx-80gb.8x=23.92,a100-sxm4-80gb.8x=14.32</c>). Such plans say
    /// <see cref="GpuPlan.IsPriceConfigured"/>.
    /// </summary>
    public IDictionary<string, decimal> PricePerHour { get; set; } = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The currency of <see cref="PricePerHour"/>. Default <c>USD</c>.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>The image for new instances when the request names none. Default <c>image://ubuntu22.04</c>.</summary>
    public string DefaultImage { get; set; } = "image://ubuntu22.04";

    /// <summary>The SSH login user of Fluidstack images. Default <c>ubuntu</c>.</summary>
    public string SshUser { get; set; } = "ubuntu";

    /// <summary>How long the region list is cached. Default 10 minutes.</summary>
    public TimeSpan RegionCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks the settings the provider needs; the constructor and dependency injection's start-up validation both call it.</summary>
    /// <exception cref="ArgumentException">A setting is missing or invalid; the message names it and never shows a secret.</exception>
    public void Validate() => InputRules.ThrowIfAny(Problems("Fluidstack."));

    /// <summary>Every problem with the settings, each naming its setting as <paramref name="prefix"/> + name.</summary>
    internal IReadOnlyList<ArgumentException> Problems(string prefix)
    {
        var problems = new OptionProblems(prefix)
            .Check(nameof(Token), name =>
            {
                if (!IsConfigured) throw new ArgumentException($"Fluidstack needs a {name}, or a {prefix}{nameof(ClientId)} and {prefix}{nameof(ClientSecret)}.", name);
            })
            .Check(nameof(ManagementUrl), name => InputRules.RequireHttps(ManagementUrl, name))
            .Require(TokenRefreshMargin >= TimeSpan.Zero, nameof(TokenRefreshMargin), "must not be negative.")
            .Require(RegionCacheDuration >= TimeSpan.Zero, nameof(RegionCacheDuration), "must not be negative.")
            .Require(ProjectId != Guid.Empty, nameof(ProjectId), "must not be the empty GUID.")
            .Require((ProjectIds ?? new Dictionary<string, Guid>()).All(p => !string.IsNullOrWhiteSpace(p.Key) && p.Value != Guid.Empty),
                nameof(ProjectIds), "needs a region name and a non-empty GUID for each entry.")
            .Require((PricePerHour ?? new Dictionary<string, decimal>()).All(p => !string.IsNullOrWhiteSpace(p.Key) && p.Value >= 0),
                nameof(PricePerHour), "needs an instance type name and a price of 0 or more for each entry.")
            .Check(nameof(OrganizationId), name => { if (OrganizationId is not null) InputRules.RequireHeaderSecret(OrganizationId, name); });
        if (UsesClientCredentials)
            problems.Check(nameof(ClientSecret), name => InputRules.RequireHeaderSecret(ClientSecret, name))
                .Check(nameof(TokenUrl), name => InputRules.RequireHttps(TokenUrl, name));
        else if (IsConfigured)
            problems.Check(nameof(Token), name => InputRules.RequireHeaderSecret(Token, name));
        return problems.ToList();
    }

    /// <summary>Whether enough is configured to use Fluidstack.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Token) || UsesClientCredentials;

    /// <summary>Whether tokens come from the OAuth2 client-credentials flow (no static <see cref="Token"/>, and a client id and secret).</summary>
    public bool UsesClientCredentials =>
        string.IsNullOrWhiteSpace(Token) && !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);

    /// <summary>Shows the settings with the token redacted.</summary>
    public override string ToString() =>
        $"FluidstackOptions {{ Token = {(string.IsNullOrWhiteSpace(Token) ? "(not set)" : "(set)")}, ClientId = {ClientId ?? "(not set)"}, ClientSecret = {(string.IsNullOrWhiteSpace(ClientSecret) ? "(not set)" : "(set)")}, TokenUrl = {TokenUrl}, ManagementUrl = {ManagementUrl}, ProjectId = {ProjectId}, ProjectIds = [{string.Join(", ", (ProjectIds ?? new Dictionary<string, Guid>()).Select(p => $"{p.Key}={p.Value}"))}], OrganizationId = {OrganizationId ?? "(not set)"}, Regions = [{string.Join(", ", Regions)}] }}";
}
