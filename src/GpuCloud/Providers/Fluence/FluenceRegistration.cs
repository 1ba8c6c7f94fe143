namespace GpuCloud.Providers;

/// <summary>Fluence's registration: <c>FLUENCE_*</c> variables, the <c>GpuCloud:Fluence</c> section, an API key enables it.</summary>
internal sealed class FluenceRegistration : ProviderRegistration<FluenceOptions>
{
    public static FluenceRegistration Instance { get; } = new();

    public override string Name => FluenceProvider.ProviderName;

    public override string SectionName => "Fluence";

    public override string NotConfiguredReason => "no API key (set FLUENCE_API_KEY or GpuCloud:Fluence:ApiKey)";

    protected override void ApplyEnvironment(FluenceOptions options, Func<string, string?> read)
    {
        if (Read(read, "FLUENCE_API_KEY") is { } key) options.ApiKey = key;
        if (Read(read, "FLUENCE_BASE_URL") is { } url) options.BaseUrl = ReadUrl("FLUENCE_BASE_URL", url);
    }

    protected override bool IsConfigured(FluenceOptions options) => options.IsConfigured;

    protected override IReadOnlyList<ArgumentException> Problems(FluenceOptions options, string prefix) => options.Problems(prefix);

    protected override IGpuCloudProvider Create(FluenceOptions options, ProviderContext context) =>
        new FluenceProvider(options, context.Handler, context.Logger, context.Time);
}

