using System.Net;
using GpuCloud;
using GpuCloud.Providers;
using GpuCloud.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// AddGpuCloud: options from configuration and from environment variables (configuration wins), validation at
/// resolve with messages that name the setting and never the secret, IHttpClientFactory named clients, disabled
/// providers. Every test clears the GpuCloud environment variables and restores them afterwards.
/// </summary>
[NonParallelizable]
public class DependencyInjectionTests : PlumbingTest
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

    // ------------------------------------------------------------------------------------------- configuration

    [Test]
    public async Task FromConfiguration_TheClientHasBothProviders_AndTheOptionsAreBound()
    {
        var http = KeysEverywhere();
        using var sp = Services(s => s.AddGpuCloud(Configuration(FullSettings())), http);

        var client = sp.GetRequiredService<GpuCloudClient>();
        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(client.DisabledProviders, Is.Empty);
            Assert.That(sp.GetRequiredService<GpuCloudClient>(), Is.SameAs(client), "one client for the application");
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(FluenceKey));
            Assert.That(options.Fluence.BaseUrl, Is.EqualTo(new Uri(FluenceUrl)));
            Assert.That(options.Fluidstack.Token, Is.EqualTo(FluidstackToken));
            Assert.That(options.Fluidstack.ProjectId, Is.EqualTo(Project));
            Assert.That(options.Fluidstack.ManagementUrl, Is.EqualTo(new Uri(ManagementUrl)));
            Assert.That(options.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.Resilience.MaxRetries, Is.EqualTo(1));
            Assert.That(options.Fluidstack.PricePerHour["h100-hgx-80gb.8x"], Is.EqualTo(23.92m));
        }

        await Guard(client.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            var fluence = http.Sent(HttpMethod.Get, FluenceUrl + "/v1/ssh_keys").Single();
            var fluidstack = http.Sent(HttpMethod.Get, ManagementUrl + "/user/keys").Single();
            Assert.That(fluence.ApiKey, Is.EqualTo(FluenceKey));
            Assert.That(fluidstack.Authorization, Is.EqualTo("Bearer " + FluidstackToken));
        }
    }

    [Test]
    public void ConfigurationWithoutAGpuCloudSection_IsReadAsTheSectionItself()
    {
        var settings = FullSettings().ToDictionary(kv => kv.Key["GpuCloud:".Length..], kv => kv.Value);
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var client = sp.GetRequiredService<GpuCloudClient>();
        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(options.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(FluenceKey));
        }
    }

    [Test]
    public async Task TheConfiguredResilience_AndTheRegisteredTimeProvider_AreUsed()
    {
        var clock = new TrackedClock();
        var http = new ScriptedHandler().On(HttpMethod.Get, FluenceUrl + "/v1/ssh_keys", Always(HttpStatusCode.ServiceUnavailable));
        using var sp = Services(s => s.AddGpuCloud(Configuration(FullSettings())), http, clock);
        var client = sp.GetRequiredService<GpuCloudClient>();

        var listing = client.ListSshKeysAsync("fluence");
        await clock.WaitForTimerWithinAsync(TimeSpan.FromSeconds(10));
        var ex = await FailsWith<GpuCloudException>(clock.RunAsync(listing, TimeSpan.FromSeconds(10)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(http.Count, Is.EqualTo(2), "GpuCloud:Resilience:MaxRetries = 1: one retry");
        }
    }

    [Test]
    public async Task WithACallback_TheClientIsConfiguredInCode()
    {
        var http = KeysEverywhere();
        using var sp = Services(s => s.AddGpuCloud(o =>
        {
            o.Fluence.ApiKey = FluenceKey;
            o.Fluence.BaseUrl = new Uri(FluenceUrl);
            o.PollInterval = TimeSpan.FromSeconds(3);
        }), http);

        var client = sp.GetRequiredService<GpuCloudClient>();
        await Guard(client.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence" }));
            Assert.That(sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(http.Requests.Single().ApiKey, Is.EqualTo(FluenceKey));
        }
    }

    [Test]
    public void TheHttpClientNames_AreGpuCloudDotProvider()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(GpuCloudServiceCollectionExtensions.HttpClientName("fluence"), Is.EqualTo("GpuCloud.fluence"));
            Assert.That(GpuCloudServiceCollectionExtensions.HttpClientName("fluidstack"), Is.EqualTo("GpuCloud.fluidstack"));
        }
    }

    [Test]
    public async Task AHandlerAddedToTheNamedClient_SeesEveryRequest()
    {
        var http = KeysEverywhere();
        var seen = new List<string>();
        using var sp = Services(s =>
        {
            s.AddGpuCloud(Configuration(FullSettings()));
            s.AddHttpClient("GpuCloud.fluence").AddHttpMessageHandler(() => new Spy(seen));
        }, http);

        await Guard(sp.GetRequiredService<GpuCloudClient>().ListSshKeysAsync("fluence"));

        Assert.That(seen, Is.EqualTo(new[] { "GET /v1/ssh_keys" }));
    }

    private sealed class Spy(List<string> seen) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (seen) seen.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Test]
    public void WithoutDi_ThePublicConstructors_BuildTheConfiguredProviders()
    {
        var options = new GpuCloudOptions
        {
            Fluence = { ApiKey = FluenceKey },
            Fluidstack = { ClientId = ClientId, ClientSecret = ClientSecret, ProjectId = Project },
        };

        using var plain = new GpuCloudClient(options);
        using var logged = new GpuCloudClient(options, Watch.Logs.Factory, new FakeTimeProvider());
        using var onlyFluence = new GpuCloudClient(new GpuCloudOptions { Fluence = { ApiKey = FluenceKey } }, null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plain.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(logged.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(onlyFluence.DisabledProviders.Keys, Is.EqualTo(new[] { "fluidstack" }));
            Assert.That(Watch.Logs.Records, Is.Empty, "building sends nothing");
        }
    }

    // ------------------------------------------------------------------------------------------- environment

    [Test]
    public async Task EnvironmentVariables_AreApplied_AndConfigurationOverridesThem()
    {
        const string envFluenceUrl = "https://env-fluence.example.test";
        const string envManagement = "https://env-atlas.example.test/api/v1alpha1";
        _environment
            .Set("FLUENCE_API_KEY", EnvFluenceKey)
            .Set("FLUENCE_BASE_URL", envFluenceUrl)
            .Set("FLUIDSTACK_TOKEN", EnvFluidstackToken)
            .Set("FLUIDSTACK_PROJECT_ID", Project.ToString())
            .Set("FLUIDSTACK_BASE_URL", envManagement);
        var http = KeysEverywhere(envFluenceUrl, envManagement);
        using var sp = Services(s => s.AddGpuCloud(Configuration(new Dictionary<string, string?>
        {
            ["GpuCloud:Fluence:ApiKey"] = FluenceKey, // overrides FLUENCE_API_KEY
            ["GpuCloud:PollInterval"] = "00:00:07",
        })), http);

        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;
        var client = sp.GetRequiredService<GpuCloudClient>();
        await Guard(client.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(FluenceKey), "configuration wins over the environment");
            Assert.That(options.Fluence.BaseUrl, Is.EqualTo(new Uri(envFluenceUrl)));
            Assert.That(options.Fluidstack.Token, Is.EqualTo(EnvFluidstackToken));
            Assert.That(options.Fluidstack.ProjectId, Is.EqualTo(Project));
            Assert.That(options.Fluidstack.ManagementUrl, Is.EqualTo(new Uri(envManagement)));
            Assert.That(options.PollInterval, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(http.Sent(HttpMethod.Get, envFluenceUrl + "/v1/ssh_keys").Single().ApiKey, Is.EqualTo(FluenceKey));
            Assert.That(http.Sent(HttpMethod.Get, envManagement + "/user/keys").Single().Authorization, Is.EqualTo("Bearer " + EnvFluidstackToken));
        }
    }

    [Test]
    public void EnvironmentVariables_AloneAreEnough_ClientCredentialsIncluded()
    {
        _environment
            .Set("FLUENCE_API_KEY", EnvFluenceKey)
            .Set("FLUIDSTACK_CLIENT_ID", "env-client")
            .Set("FLUIDSTACK_CLIENT_SECRET", EnvClientSecret)
            .Set("FLUIDSTACK_TOKEN_URL", "https://env-auth.example.test/oauth/token");
        using var sp = Services(s => s.AddGpuCloud(Configuration(new Dictionary<string, string?>())));

        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;
        var client = sp.GetRequiredService<GpuCloudClient>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence", "fluidstack" }));
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(EnvFluenceKey));
            Assert.That(options.Fluidstack.UsesClientCredentials, Is.True);
            Assert.That(options.Fluidstack.ClientId, Is.EqualTo("env-client"));
            Assert.That(options.Fluidstack.ClientSecret, Is.EqualTo(EnvClientSecret));
            Assert.That(options.Fluidstack.TokenUrl, Is.EqualTo(new Uri("https://env-auth.example.test/oauth/token")));
        }
    }

    [Test]
    public void EnvironmentVariables_AreOverriddenByTheCallback()
    {
        _environment.Set("FLUENCE_API_KEY", EnvFluenceKey).Set("FLUENCE_BASE_URL", "https://env-fluence.example.test");
        using var sp = Services(s => s.AddGpuCloud(o => o.Fluence.ApiKey = FluenceKey));

        var options = sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(FluenceKey));
            Assert.That(options.Fluence.BaseUrl, Is.EqualTo(new Uri("https://env-fluence.example.test")));
        }
    }

    [Test]
    public void FromEnvironment_MapsEveryVariable_TrimsThem_AndIgnoresEmptyOnes()
    {
        var env = new Dictionary<string, string>
        {
            ["FLUENCE_API_KEY"] = "  " + EnvFluenceKey + " ",
            ["FLUENCE_BASE_URL"] = "https://f.example.test",
            ["FLUIDSTACK_TOKEN"] = "",
            ["FLUIDSTACK_CLIENT_ID"] = "cid",
            ["FLUIDSTACK_CLIENT_SECRET"] = EnvClientSecret,
            ["FLUIDSTACK_TOKEN_URL"] = "https://t.example.test/token",
            ["FLUIDSTACK_PROJECT_ID"] = Project.ToString(),
            ["FLUIDSTACK_BASE_URL"] = "https://m.example.test/api",
        };

        var options = GpuCloudOptions.FromEnvironment(name => env.GetValueOrDefault(name));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluence.ApiKey, Is.EqualTo(EnvFluenceKey));
            Assert.That(options.Fluence.BaseUrl, Is.EqualTo(new Uri("https://f.example.test")));
            Assert.That(options.Fluidstack.Token, Is.Null, "an empty variable changes nothing");
            Assert.That(options.Fluidstack.ClientId, Is.EqualTo("cid"));
            Assert.That(options.Fluidstack.ClientSecret, Is.EqualTo(EnvClientSecret));
            Assert.That(options.Fluidstack.TokenUrl, Is.EqualTo(new Uri("https://t.example.test/token")));
            Assert.That(options.Fluidstack.ProjectId, Is.EqualTo(Project));
            Assert.That(options.Fluidstack.ManagementUrl, Is.EqualTo(new Uri("https://m.example.test/api")));
            Assert.That(GpuCloudOptions.FromEnvironment(_ => null).Fluence.ApiKey, Is.Null);
        }
    }

    [TestCase("FLUENCE_BASE_URL", "not a url " + EnvFluenceKey)]
    [TestCase("FLUIDSTACK_TOKEN_URL", "relative/" + EnvFluenceKey)]
    [TestCase("FLUIDSTACK_BASE_URL", "::")]
    [TestCase("FLUIDSTACK_PROJECT_ID", "project-" + EnvFluenceKey)]
    public void FromEnvironment_AMalformedVariable_IsNamed_WithoutItsValue(string name, string value)
    {
        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => GpuCloudOptions.FromEnvironment(n => n == name ? value : null))!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ParamName, Is.EqualTo(name));
            Assert.That(ex.Message, Does.Contain(name));
        }
    }

    [Test]
    public void AMalformedEnvironmentVariable_FailsAtResolve_NamingIt()
    {
        _environment.Set("FLUIDSTACK_PROJECT_ID", "not-a-guid");
        using var sp = Services(s => s.AddGpuCloud(Configuration(FullSettings())));

        var ex = Watch.Saw(Assert.Throws<ArgumentException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        Assert.That(ex.Message, Does.Contain("FLUIDSTACK_PROJECT_ID"));
    }

    // ------------------------------------------------------------------------------------------- disabled providers

    [Test]
    public async Task AProviderWithoutCredentials_IsDisabledWithAReason_AndTheOtherWorks()
    {
        var http = KeysEverywhere();
        var settings = FullSettings();
        settings.Remove("GpuCloud:Fluidstack:Token");
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)), http);

        var client = sp.GetRequiredService<GpuCloudClient>();
        var keys = await Guard(client.ListSshKeysAsync());
        var ex = await FailsWith<GpuCloudException>(() => client.ListSshKeysAsync("fluidstack"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "fluence" }));
            Assert.That(client.DisabledProviders.Keys, Is.EqualTo(new[] { "fluidstack" }));
            Assert.That(client.DisabledProviders["fluidstack"], Does.Contain("FLUIDSTACK_TOKEN"));
            Assert.That(keys, Is.Empty);
            Assert.That(http.Requests.Select(r => r.Url), Is.EqualTo(new[] { FluenceUrl + "/v1/ssh_keys" }), "only the enabled provider is called");
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Message, Does.Contain("disabled").And.Contain("FLUIDSTACK_TOKEN"));
        }
    }

    [Test]
    public void NoCredentialsAtAll_BothProvidersAreDisabled_AndTheClientStillResolves()
    {
        using var sp = Services(s => s.AddGpuCloud(Configuration(new Dictionary<string, string?> { ["GpuCloud:PollInterval"] = "00:00:05" })));

        var client = sp.GetRequiredService<GpuCloudClient>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers, Is.Empty);
            Assert.That(client.DisabledProviders.Keys, Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
            Assert.That(client.DisabledProviders["fluence"], Does.Contain("FLUENCE_API_KEY"));
        }
    }

    // ------------------------------------------------------------------------------------------- validation

    private static IEnumerable<TestCaseData> InvalidSettings()
    {
        TestCaseData Case(string name, string key, string? value, string named) =>
            new TestCaseData(key, value, named).SetArgDisplayNames(name);
        yield return Case("http base url", "GpuCloud:Fluence:BaseUrl", "http://example.com", "GpuCloud:Fluence:BaseUrl");
        yield return Case("negative poll interval", "GpuCloud:PollInterval", "-00:00:01", "PollInterval");
        yield return Case("zero cleanup timeout", "GpuCloud:CleanupTimeout", "00:00:00", "CleanupTimeout");
        yield return Case("CRLF in the api key", "GpuCloud:Fluence:ApiKey", FluenceKey + "\r\nX-Injected: 1", "GpuCloud:Fluence:ApiKey");
        yield return Case("non-ascii in the token", "GpuCloud:Fluidstack:Token", FluidstackToken + "\u00e9", "GpuCloud:Fluidstack:Token");
        yield return Case("http management url", "GpuCloud:Fluidstack:ManagementUrl", "http://atlas.example.com/api", "GpuCloud:Fluidstack:ManagementUrl");
        yield return Case("too many retries", "GpuCloud:Resilience:MaxRetries", "11", "MaxRetries");
        yield return Case("zero attempt timeout", "GpuCloud:Resilience:AttemptTimeout", "00:00:00", "AttemptTimeout");
    }

    [TestCaseSource(nameof(InvalidSettings))]
    public void AnInvalidSetting_FailsAtResolve_NamingIt_WithoutTheSecret(string key, string? value, string named)
    {
        var settings = FullSettings();
        settings[key] = value;
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var ex = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);
        var atStart = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate())!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain(named));
            Assert.That(ex.OptionsType, Is.EqualTo(typeof(GpuCloudOptions)));
            Assert.That(atStart.Message, Does.Contain(named), "ValidateOnStart: a host fails at start, not at first use");
            Assert.That(ex.Failures.Concat(atStart.Failures), Has.None.Contain("SECRET"));
        }
    }

    [TestCase("GpuCloud:Fluence:BaseUrl", "http://api.fluence.dev", "BaseUrl")]
    [TestCase("GpuCloud:Fluidstack:RegionCacheDuration", "-00:00:01", "RegionCacheDuration")]
    [TestCase("GpuCloud:Fluidstack:ProjectId", "00000000-0000-0000-0000-000000000000", "ProjectId")]
    public void ASettingTheProviderRefuses_IsCaughtByStartupValidation(string key, string value, string named)
    {
        var settings = FullSettings();
        settings[key] = value;
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var atStart = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate())!);
        var atResolve = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(atStart.Message, Does.Contain(named));
            Assert.That(atResolve.Message, Does.Contain(named));
        }
    }

    [Test]
    public void AnHttpTokenUrl_WithClientCredentials_FailsAtResolve()
    {
        var settings = FullSettings();
        settings.Remove("GpuCloud:Fluidstack:Token");
        settings["GpuCloud:Fluidstack:ClientId"] = ClientId;
        settings["GpuCloud:Fluidstack:ClientSecret"] = ClientSecret;
        settings["GpuCloud:Fluidstack:TokenUrl"] = "http://auth.example.com/oauth/token";
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var ex = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        Assert.That(ex.Message, Does.Contain("GpuCloud:Fluidstack:TokenUrl"));
    }

    [Test]
    public void SeveralInvalidSettings_AreAllReported()
    {
        var settings = FullSettings();
        settings["GpuCloud:Fluence:BaseUrl"] = "http://example.com";
        settings["GpuCloud:Fluidstack:ManagementUrl"] = "http://atlas.example.com";
        settings["GpuCloud:PollInterval"] = "-00:00:01";
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        var ex = Watch.Saw(Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<GpuCloudClient>())!);

        Assert.That(ex.Failures, Has.Some.Contain("GpuCloud:Fluence:BaseUrl")
            .And.Some.Contain("GpuCloud:Fluidstack:ManagementUrl")
            .And.Some.Contain("PollInterval"));
    }

    [TestCase("http://localhost:8080")]
    [TestCase("http://127.0.0.1:8080")]
    [TestCase("http://[::1]:8080")]
    public void PlainHttpToLoopback_IsAccepted(string url)
    {
        var settings = FullSettings();
        settings["GpuCloud:Fluence:BaseUrl"] = url;
        using var sp = Services(s => s.AddGpuCloud(Configuration(settings)));

        Assert.That(sp.GetRequiredService<GpuCloudClient>().Providers.Select(p => p.Name), Does.Contain("fluence"));
    }

    // ------------------------------------------------------------------------------------------- logs

    [Test]
    public async Task TraceLevelLogs_OfTheWholeDiChain_NeverContainACredential()
    {
        var http = KeysEverywhere();
        using var sp = Services(s => s.AddGpuCloud(Configuration(FullSettings())), http);

        await Guard(sp.GetRequiredService<GpuCloudClient>().ListSshKeysAsync());

        var factoryLogs = Watch.Logs.Records.Where(e => e.Category?.StartsWith("System.Net.Http.HttpClient.GpuCloud.", StringComparison.Ordinal) == true).ToArray();
        using (Assert.EnterMultipleScope())
        {
            // IHttpClientFactory's own logging keeps raw header values in its structured state, so it is removed.
            Assert.That(factoryLogs, Is.Empty, "no IHttpClientFactory request logging on the GpuCloud clients");
            Assert.That(Watch.Leaks(), Is.Empty, "no credential by value anywhere");
            Assert.That(Watch.Logs.Records.Count(e => e.Category?.StartsWith("GpuCloud.Http.", StringComparison.Ordinal) == true), Is.EqualTo(2),
                "one attempt line per request from the resilience handler");
        }
    }
}
