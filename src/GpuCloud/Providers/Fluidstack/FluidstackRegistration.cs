namespace GpuCloud.Providers;

/// <summary>
/// Fluidstack's registration: <c>FLUIDSTACK_*</c> variables, the <c>GpuCloud:Fluidstack</c> section, a token or client
/// credentials enable it.
/// </summary>
internal sealed class FluidstackRegistration : ProviderRegistration<FluidstackOptions>
{
    private const string ProjectVariable = "FLUIDSTACK_PROJECT_ID";
    private const string PricesVariable = "FLUIDSTACK_PRICES";

    public static FluidstackRegistration Instance { get; } = new();

    public override string Name => FluidstackProvider.ProviderName;

    public override string SectionName => "Fluidstack";

    public override string NotConfiguredReason =>
        "no token or client credentials (set FLUIDSTACK_TOKEN, or FLUIDSTACK_CLIENT_ID and FLUIDSTACK_CLIENT_SECRET)";

    protected override void ApplyEnvironment(FluidstackOptions options, Func<string, string?> read)
    {
        if (Read(read, "FLUIDSTACK_TOKEN") is { } token) options.Token = token;
        if (Read(read, "FLUIDSTACK_CLIENT_ID") is { } clientId) options.ClientId = clientId;
        if (Read(read, "FLUIDSTACK_CLIENT_SECRET") is { } secret) options.ClientSecret = secret;
        if (Read(read, "FLUIDSTACK_TOKEN_URL") is { } tokenUrl) options.TokenUrl = ReadUrl("FLUIDSTACK_TOKEN_URL", tokenUrl);
        if (Read(read, "FLUIDSTACK_BASE_URL") is { } managementUrl) options.ManagementUrl = ReadUrl("FLUIDSTACK_BASE_URL", managementUrl);
        if (Read(read, ProjectVariable) is { } project) ApplyProjects(options, project);
        if (Read(read, "FLUIDSTACK_ORG_ID") is { } organization) options.OrganizationId = organization;
        if (Read(read, PricesVariable) is { } prices) ApplyPrices(options, prices);
        if (Read(read, "FLUIDSTACK_CURRENCY") is { } currency) options.Currency = currency;
    }

    /// <summary>
    /// Atlas publishes no prices: <c>type=price</c> pairs separated by commas, the price per hour of the whole instance type
    /// (<c>h100-hgx-80gb.8x=23.92,a100-sxm4-80gb.8x=14.32</c>), in <see cref="FluidstackOptions.Currency"/>.
    /// </summary>
    private static void ApplyPrices(FluidstackOptions options, string text)
    {
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0
                || !decimal.TryParse(parts[1], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var price))
                throw new ArgumentException($"{PricesVariable}: '{pair}' is not type=price (e.g. h100-hgx-80gb.8x=23.92).", PricesVariable);
            options.PricePerHour[parts[0]] = price;
        }
    }

    /// <summary>One GUID for every region, or <c>region=GUID</c> pairs separated by commas (Atlas projects are regional).</summary>
    private static void ApplyProjects(FluidstackOptions options, string text)
    {
        if (!text.Contains('=', StringComparison.Ordinal))
        {
            options.ProjectId = Guid.TryParse(text, out var id) ? id : throw new ArgumentException($"{ProjectVariable} is not a GUID (or region=GUID pairs).", ProjectVariable);
            return;
        }
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !Guid.TryParse(parts[1], out var id))
                throw new ArgumentException($"{ProjectVariable}: '{pair}' is not region=GUID.", ProjectVariable);
            options.ProjectIds[parts[0]] = id;
        }
    }

    protected override bool IsConfigured(FluidstackOptions options) => options.IsConfigured;

    protected override IReadOnlyList<ArgumentException> Problems(FluidstackOptions options, string prefix) => options.Problems(prefix);

    protected override IGpuCloudProvider Create(FluidstackOptions options, ProviderContext context) =>
        new FluidstackProvider(options, context.Handler, context.Time, context.Logger);
}

