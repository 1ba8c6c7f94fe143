using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Net.Sockets;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

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
        async Task<(HttpStatusCode Status, string Body)> Send(HttpMethod method, string path, string? json = null, string? bearer = null, bool fluence = false)
        {
            using var request = new HttpRequestMessage(method, path);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            if (fluence) request.Headers.Add("X-API-KEY", server.FluenceApiKey);
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? server.FluidstackToken);
                request.Headers.Add("X-PROJECT-ID", server.FluidstackProjectId.ToString());
            }
            using var response = await http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        async Task<string> Ok(HttpMethod method, string path, string? json = null, string? bearer = null, bool fluence = false)
        {
            var (status, body) = await Send(method, path, json, bearer, fluence);
            Assert.That((int)status, Is.InRange(200, 299), $"{method} {path}: {body}");
            return body;
        }
        async Task<JArray> FluenceKeys() => (JArray)JToken.Parse(await Ok(HttpMethod.Get, "v1/ssh_keys", fluence: true))["items"]!;
        async Task<JArray> FluidstackKeys() => JArray.Parse(await Ok(HttpMethod.Get, "fluidstack/api/v1alpha1/user/keys"));
        const string FsInstances = "fluidstack/regions/eu-north-1/api/v1alpha1/instances";
        async Task<string[]> Catalog() =>
        [
            await Ok(HttpMethod.Get, "gpu/plans/", fluence: true), await Ok(HttpMethod.Get, "gpu/plans/vms", fluence: true),
            await Ok(HttpMethod.Get, "fluidstack/api/v1alpha1/regions"), await Ok(HttpMethod.Get, "fluidstack/regions/eu-north-1/api/v1alpha1/instance-types"),
        ];

        // State of every kind Reset must forget: instances and keys on both providers, an issued token, create counters,
        // a changed balance and capacity, a fault rule.
        var catalog = await Catalog();
        var planId = (string)JArray.Parse(catalog[0])[0]["plan"]!["id"]!;
        await Ok(HttpMethod.Post, "gpu/instances/", JsonConvert.SerializeObject(new
        {
            plan_id = planId, name = "reset-me", ssh_key = SshKeys.Ed25519(),
            container_settings = new { image = "docker.io/fluencelabs/debian-ssh-root:11", expose = new[] { new { port = "22", protocol = "tcp" } } },
        }), fluence: true);
        await Ok(HttpMethod.Post, "v1/ssh_keys", JsonConvert.SerializeObject(new { name = "reset-key", publicKey = SshKeys.Ed25519(2) }), fluence: true);
        await Ok(HttpMethod.Post, FsInstances, JsonConvert.SerializeObject(new { name = "reset-me", type = "cpu.2x" }));
        await Ok(HttpMethod.Post, "fluidstack/api/v1alpha1/user/keys", JsonConvert.SerializeObject(new { name = "reset-key", key = SshKeys.Ed25519(3) }));
        string issued;
        using (var token = await http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = server.FluidstackClientId, ["client_secret"] = server.FluidstackClientSecret,
            ["grant_type"] = "client_credentials", ["audience"] = server.FluidstackAudience,
        })))
            issued = (string)JObject.Parse(await token.Content.ReadAsStringAsync())["access_token"]!;
        await Ok(HttpMethod.Get, FsInstances, bearer: issued);
        server.FluenceBalance = 5;
        server.SetFluidstackCapacity("eu-north-1", "cpu.2x", 0);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(server.Inventory.Instances().Select(i => (i.Provider, i.Name)),
                Is.EquivalentTo(new[] { (SandboxProvider.Fluence, "reset-me"), (SandboxProvider.Fluidstack, "reset-me") }), "the state to forget exists");
            Assert.That(server.Inventory.CreateRequests(SandboxProvider.Fluence, "reset-me"), Is.EqualTo(1));
            Assert.That(await FluenceKeys(), Has.Count.EqualTo(1));
            Assert.That(await FluidstackKeys(), Has.Count.EqualTo(1));
        }
        server.Faults.Add(FaultRule.Status(503));

        using (var response = await http.PostAsync("_sandbox/reset", null))
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(server.FluenceBalance, Is.EqualTo(1000m));
            Assert.That(server.GetFluidstackCapacity("eu-north-1", "cpu.2x"), Is.EqualTo(20));
            Assert.That(server.Faults.Rules, Is.Empty);
            Assert.That(server.Inventory.Instances(), Is.Empty, "instances");
            Assert.That(server.Inventory.CreateRequestCounts(SandboxProvider.Fluence), Is.Empty, "Fluence create counters");
            Assert.That(server.Inventory.CreateRequestCounts(SandboxProvider.Fluidstack), Is.Empty, "Fluidstack create counters");
            Assert.That(JToken.Parse(await Ok(HttpMethod.Get, "gpu/instances/", fluence: true)), Is.Empty, "Fluence instances over HTTP");
            Assert.That(await FluenceKeys(), Is.Empty, "Fluence keys");
            Assert.That(JToken.Parse(await Ok(HttpMethod.Get, FsInstances)), Is.Empty, "Fluidstack instances over HTTP");
            Assert.That(await FluidstackKeys(), Is.Empty, "Fluidstack keys");
            Assert.That((await Send(HttpMethod.Get, FsInstances, bearer: issued)).Status, Is.EqualTo(HttpStatusCode.Unauthorized), "the issued token is forgotten");
            Assert.That(await Catalog(), Is.EqualTo(catalog), "the catalog is kept");
        }
    }
}
