using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// AddGpuCloud: options from configuration and from environment variables (configuration wins), validation at
/// resolve with messages that name the setting and never the secret, IHttpClientFactory named clients, disabled
/// providers. Every test clears the GpuCloud environment variables and restores them afterwards.
/// </summary>
[NonParallelizable]
public partial class DependencyInjectionTests : PlumbingTest
{
    private const string FluenceUrl = "https://fluence.example.test";
    private const string ManagementUrl = "https://atlas.example.test/api/v1alpha1";
    private static readonly Guid Project = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    private EnvironmentScope _environment = null!;

    [SetUp]
    public void IsolateEnvironment() => _environment = new EnvironmentScope();

    [TearDown]
    public void RestoreEnvironment() => _environment.Dispose();

    private static Dictionary<string, string?> FullSettings() => new()
    {
        ["GpuCloud:Fluence:ApiKey"] = FluenceKey,
        ["GpuCloud:Fluence:BaseUrl"] = FluenceUrl,
        ["GpuCloud:Fluidstack:Token"] = FluidstackToken,
        ["GpuCloud:Fluidstack:ProjectId"] = Project.ToString(),
        ["GpuCloud:Fluidstack:ManagementUrl"] = ManagementUrl,
        ["GpuCloud:PollInterval"] = "00:00:02",
        ["GpuCloud:Resilience:MaxRetries"] = "1",
        ["GpuCloud:Fluidstack:PricePerHour:h100-hgx-80gb.8x"] = "23.92",
    };

    private static IConfiguration Configuration(IDictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>The services as an application registers them, with the test's handler as every provider's primary handler.</summary>
    private ServiceProvider Services(Action<IServiceCollection> register, ScriptedHandler? http = null, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(Watch.Logs.Provider).SetMinimumLevel(LogLevel.Trace));
        if (clock is not null) services.AddSingleton(clock);
        register(services);
        if (http is not null)
        {
            foreach (var provider in new[] { FluenceProvider.ProviderName, FluidstackProvider.ProviderName })
                services.AddHttpClient(GpuCloudServiceCollectionExtensions.HttpClientName(provider)).ConfigurePrimaryHttpMessageHandler(() => http);
        }
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static ScriptedHandler KeysEverywhere(string fluenceUrl = FluenceUrl, string managementUrl = ManagementUrl) => new ScriptedHandler()
        .On(HttpMethod.Get, fluenceUrl + "/v1/ssh_keys", Always(HttpStatusCode.OK, FluenceJson.SshKeyPage(0, 1)))
        .On(HttpMethod.Get, managementUrl + "/user/keys", Always(HttpStatusCode.OK, "[]"));
}
