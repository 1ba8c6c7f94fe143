using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static GpuCloud.Tests.Support.PlumbingSecrets;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

public partial class DependencyInjectionTests
{
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
}
