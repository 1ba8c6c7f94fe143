using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GpuCloud.Tests.Architecture;

/// <summary>
/// A provider plugs in through its registration alone: a test-only provider ("echo") is registered exactly as the
/// built-in ones are, and gets its environment variable, its configuration section, start-up validation, its own
/// resilient HTTP pipeline and a place in the client, without any change to shared code.
/// </summary>
public sealed class ThirdProviderTests
{
    private const string EchoUrl = "https://echo.example.test";

    private sealed class EchoOptions
    {
        public string? Token { get; set; }

        public Uri BaseUrl { get; set; } = new(EchoUrl);
    }

    private sealed class EchoRegistration : ProviderRegistration<EchoOptions>
    {
        public static EchoRegistration Instance { get; } = new();

        public override string Name => "echo";

        public override string SectionName => "Echo";

        public override string NotConfiguredReason => "no token (set ECHO_TOKEN or GpuCloud:Echo:Token)";

        protected override void ApplyEnvironment(EchoOptions options, Func<string, string?> read)
        {
            if (Read(read, "ECHO_TOKEN") is { } token) options.Token = token;
        }

        protected override bool IsConfigured(EchoOptions options) => !string.IsNullOrWhiteSpace(options.Token);

        protected override IReadOnlyList<ArgumentException> Problems(EchoOptions options, string prefix) =>
            options.Token!.Contains(' ', StringComparison.Ordinal) ? [new ArgumentException($"{prefix}Token must not contain spaces.", prefix + "Token")] : [];

        protected override IGpuCloudProvider Create(EchoOptions options, ProviderContext context) => new EchoProvider(options, context);
    }

    /// <summary>Lists one plan per line of <c>GET /plans</c>; nothing else.</summary>
    private sealed class EchoProvider(EchoOptions options, ProviderContext context) : IGpuCloudProvider, IDisposable
    {
        private readonly HttpClient _http = new(context.Handler, disposeHandler: false) { BaseAddress = options.BaseUrl };

        public string Name => "echo";

        public async Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/plans");
            request.Headers.Add("X-Echo-Token", options.Token);
            using var response = await _http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var lines = (await response.Content.ReadAsStringAsync(cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return new PlanSearchResult(lines.Select(line => new GpuPlan
            {
                Provider = Name, Id = line, Name = line, Workload = WorkloadType.VirtualMachine,
                Gpu = GpuModelCatalog.Parse(line, 1), PricePerHour = 1m, Currency = "USD",
            }).ToArray(), []);
        }

        public Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<GpuInstance>>([]);

        public Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => throw NotSupported();

        public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default) => throw NotSupported();

        public Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => throw NotSupported();

        public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => throw NotSupported();

        public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => throw NotSupported();

        public Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<SshKey>>([]);

        public Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default) => throw NotSupported();

        public Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default) => throw NotSupported();

        private GpuCloudException NotSupported() => new(GpuCloudErrorCode.NotSupported, "echo: not supported.", Name);

        public void Dispose() => _http.Dispose();
    }

    /// <summary>The echo API: the first GET fails with 503 (the shared resilience pipeline must retry it), then answers.</summary>
    private static MockHttpMessageHandler EchoApi(string token)
    {
        var http = new MockHttpMessageHandler();
        http.Expect(HttpMethod.Get, EchoUrl + "/plans").WithHeaders("X-Echo-Token", token).Respond(HttpStatusCode.ServiceUnavailable);
        http.Expect(HttpMethod.Get, EchoUrl + "/plans").WithHeaders("X-Echo-Token", token).Respond("text/plain", "H100\nA100\n");
        return http;
    }

    private static GpuCloudOptions FastRetries(GpuCloudOptions options)
    {
        options.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
        return options;
    }

    [Test]
    public async Task FromTheEnvironment_TheThirdProviderIsBuiltOverTheSharedPipeline_AndSearchedWithTheOthers()
    {
        var options = new GpuCloudOptions();
        options.AddProvider(EchoRegistration.Instance);
        options.ApplyEnvironment(name => name == "ECHO_TOKEN" ? "t0ken" : null);
        using var http = EchoApi("t0ken");
        using var client = new GpuCloudClient(FastRetries(options), TimeProvider.System, null, _ => http);

        Assert.That(client.Providers.Select(p => p.Name), Is.EqualTo(new[] { "echo" }));
        Assert.That(client.DisabledProviders.Keys, Is.EquivalentTo(ProviderRegistry.BuiltIn.Select(r => r.Name)), "the built-in ones, unconfigured");

        var found = await client.ListPlansAsync(new PlanQuery { GpuModels = ["H100"] });

        Assert.That(found.Plans.Select(p => (p.Provider, p.Id)), Is.EqualTo(new[] { ("echo", "H100") }));
        Assert.That(found.Failures, Is.Empty);
        http.VerifyNoOutstandingExpectation();
    }

    [Test]
    public void WithoutItsSetting_TheThirdProviderIsDisabled_WithItsOwnReason()
    {
        var options = new GpuCloudOptions();
        options.AddProvider(EchoRegistration.Instance);
        using var client = new GpuCloudClient(options);

        Assert.That(client.DisabledProviders["echo"], Is.EqualTo("no token (set ECHO_TOKEN or GpuCloud:Echo:Token)"));
        var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.ListSshKeysAsync("echo"));
        Assert.That(ex!.Message, Does.Contain("It is disabled: no token"));
    }

    [Test]
    public void RegisteringTheSameProviderTwice_IsRefused()
    {
        var options = new GpuCloudOptions();
        options.AddProvider(EchoRegistration.Instance);
        Assert.Throws<ArgumentException>(() => options.AddProvider(EchoRegistration.Instance));
        Assert.Throws<ArgumentException>(() => options.AddProvider(ProviderRegistry.BuiltIn[0]), "a built-in one is registered by the options themselves");
    }

    [Test]
    public async Task ThroughDependencyInjection_TheThirdProviderReadsItsSection_AndGetsItsNamedHttpClient()
    {
        using var http = EchoApi("from-config");
        var services = new ServiceCollection();
        services.AddGpuCloudProvider(EchoRegistration.Instance);
        services.AddGpuCloud(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GpuCloud:Echo:Token"] = "from-config",
            ["GpuCloud:Resilience:RetryBaseDelay"] = "00:00:00.001",
        }).Build());
        services.AddHttpClient(GpuCloudServiceCollectionExtensions.HttpClientName("echo")).ConfigurePrimaryHttpMessageHandler(() => http);
        await using var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var client = sp.GetRequiredService<GpuCloudClient>();
        var found = await client.ListPlansAsync(new PlanQuery { Providers = ["echo"] });

        Assert.That(found.Plans.Select(p => p.Id), Is.EqualTo(new[] { "H100", "A100" }));
        http.VerifyNoOutstandingExpectation();
    }

    [Test]
    public void ThroughDependencyInjection_ABadSettingOfTheThirdProvider_FailsAtStart_NamingIt()
    {
        var services = new ServiceCollection();
        services.AddGpuCloudProvider(EchoRegistration.Instance);
        services.AddGpuCloud(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GpuCloud:Echo:Token"] = "has spaces",
        }).Build());
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<GpuCloudOptions>>().Value.ToString());
        Assert.That(ex!.Failures, Has.Some.StartWith("GpuCloud:Echo:Token must not contain spaces."));
    }
}
