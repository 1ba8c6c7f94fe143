namespace GpuCloud.Providers;

/// <summary>The providers GpuCloud ships. A new provider is its folder plus one line here (see the README's "Adding a provider").</summary>
internal static class ProviderRegistry
{
    public static IReadOnlyList<ProviderRegistration> BuiltIn { get; } =
    [
        FluenceRegistration.Instance,
        FluidstackRegistration.Instance,
    ];
}
