using System.Net;
using System.Net.Sockets;
using GpuCloud.Sandbox.Tests.Support;

namespace GpuCloud.Sandbox.Tests;

public sealed class ServerTests
{
    [Test]
    public async Task StartsOnAFreeLoopbackPortAndExposesTheLayout()
    {
        await using var server = await SandboxServer.StartAsync();
        Assert.Multiple(() =>
        {
            Assert.That(server.BaseUrl.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(server.BaseUrl.Port, Is.GreaterThan(0));
            Assert.That(server.FluenceBaseUrl, Is.EqualTo(server.BaseUrl));
            Assert.That(server.FluidstackManagementUrl.ToString(), Is.EqualTo($"{server.BaseUrl}fluidstack/api/v1alpha1"));
            Assert.That(server.FluidstackTokenUrl.ToString(), Is.EqualTo($"{server.BaseUrl}oauth/token"));
            Assert.That(server.FluidstackRegions, Is.EqualTo(new[] { "eu-north-1", "us-east-2" }));
            Assert.That(server.FluidstackInfrastructureUrl("us-east-2").ToString(),
                Is.EqualTo($"{server.BaseUrl}fluidstack/regions/us-east-2/api/v1alpha1"));
            Assert.That(server.FluidstackProjectId, Is.Not.EqualTo(Guid.Empty));
        });
    }

    [Test]
    public async Task TwoServersGetDifferentPorts()
    {
        await using var a = await SandboxServer.StartAsync();
        await using var b = await SandboxServer.StartAsync();
        Assert.That(a.BaseUrl.Port, Is.Not.EqualTo(b.BaseUrl.Port));
    }

    [Test]
    public async Task HonoursAnExplicitLoopbackUrl()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Urls = $"http://127.0.0.1:{port}" });
        Assert.That(server.BaseUrl.ToString(), Is.EqualTo($"http://127.0.0.1:{port}/"));
    }

    [TestCase("http://0.0.0.0:5080")]
    [TestCase("http://*:5080")]
    [TestCase("http://+:5080")]
    [TestCase("http://192.168.1.10:5080")]
    [TestCase("http://example.com:5080")]
    [TestCase("https://127.0.0.1:5080")]
    [TestCase("http://127.0.0.1:5080;http://127.0.0.1:5081")]
    public void RefusesNonLoopbackOrSeveralUrls(string url)
    {
        Assert.Multiple(() =>
        {
            Assert.That(SandboxServer.TryParseLoopbackUrl(url, out _, out _), Is.False);
            Assert.ThrowsAsync<ArgumentException>(() => SandboxServer.StartAsync(new SandboxOptions { Urls = url }));
        });
    }

    [TestCase("http://127.0.0.1:0")]
    [TestCase("http://localhost:0")]
    [TestCase("http://[::1]:0")]
    [TestCase("http://127.0.0.5:0")]
    public void AcceptsLoopbackUrls(string url) =>
        Assert.That(SandboxServer.TryParseLoopbackUrl(url, out _, out _), Is.True);

    [Test]
    public async Task SameSeedGivesTheSameCatalogAndAnotherSeedAnother()
    {
        await using var a = await SandboxServer.StartAsync(new SandboxOptions { Seed = 7 });
        await using var b = await SandboxServer.StartAsync(new SandboxOptions { Seed = 7 });
        await using var c = await SandboxServer.StartAsync(new SandboxOptions { Seed = 8 });
        using var http = new HttpClient();
        async Task<string> Plans(SandboxServer s)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(s.BaseUrl, "gpu/plans/"));
            request.Headers.Add("X-API-KEY", s.FluenceApiKey);
            using var response = await http.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        }

        var (pa, pb, pc) = (await Plans(a), await Plans(b), await Plans(c));
        Assert.Multiple(() =>
        {
            Assert.That(pb, Is.EqualTo(pa));
            Assert.That(pc, Is.Not.EqualTo(pa));
            Assert.That(b.FluidstackProjectId, Is.EqualTo(a.FluidstackProjectId));
        });
    }

    [Test]
    public async Task CustomCredentialsAreUsed()
    {
        var options = new SandboxOptions { FluenceApiKey = "k1", FluidstackToken = "t1", FluidstackProjectId = Guid.Parse("11111111-2222-4333-8444-555555555555") };
        await using var server = await SandboxServer.StartAsync(options);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "gpu/plans/vms");
        request.Headers.Add("X-API-KEY", "k1");
        using var response = await http.SendAsync(request);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.FluidstackProjectId, Is.EqualTo(options.FluidstackProjectId));
            Assert.That(server.FluidstackToken, Is.EqualTo("t1"));
        });
    }

    [Test]
    public async Task StopAsyncStopsListeningAndIsIdempotent()
    {
        var server = await SandboxServer.StartAsync();
        var url = server.BaseUrl;
        await server.StopAsync();
        await server.StopAsync();
        using var http = new HttpClient();
        Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(url, "gpu/plans/")));
        await server.DisposeAsync();
    }

    [Test]
    public async Task ResetForgetsStateButKeepsTheCatalog()
    {
        var clock = new FakeTimeProvider();
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { TimeProvider = clock });
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        server.FluenceBalance = 5;
        server.SetFluidstackCapacity("eu-north-1", "cpu.2x", 0);
        server.Faults.Add(FaultRule.Status(503));

        using (var response = await http.PostAsync("_sandbox/reset", null))
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        Assert.Multiple(() =>
        {
            Assert.That(server.FluenceBalance, Is.EqualTo(1000m));
            Assert.That(server.GetFluidstackCapacity("eu-north-1", "cpu.2x"), Is.EqualTo(20));
            Assert.That(server.Faults.Rules, Is.Empty);
        });
        server.Reset();
        Assert.That(server.Inventory.Instances(), Is.Empty);
    }
}
