using System.Net;
using GpuCloud.Generated.Fluence;
using GpuCloud.Generated.Fluidstack.Infrastructure;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FaultTests : SandboxTestBase
{
    [Test]
    public async Task TooManyRequestsCarriesRetryAfterForTheNextNRequests()
    {
        var rule = Server.Faults.Add(FaultRule.Status(429, "/gpu/plans", count: 2));
        for (var i = 0; i < 2; i++)
        {
            var response = await FluenceAsync(HttpMethod.Get, "gpu/plans/");
            var body = await ExpectAsync(response, HttpStatusCode.TooManyRequests);
            Assert.Multiple(() =>
            {
                Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
                Assert.That((string)body["detail"]!, Is.EqualTo("Too Many Requests"));
            });
        }

        await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/plans/"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(rule.Fired, Is.EqualTo(2));
            Assert.That(rule.Remaining, Is.EqualTo(0));
        });
    }

    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public async Task StatusFaultsSpeakEachProvidersErrorEnvelope(int status)
    {
        Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = status, RetryAfter = status == 503 ? TimeSpan.FromSeconds(7) : null });
        var fluence = await FluenceAsync(HttpMethod.Get, "gpu/instances/");
        var keys = await FluenceAsync(HttpMethod.Get, "v1/ssh_keys");
        var fluidstack = await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "instances"));
        var token = await Http.PostAsync("oauth/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));

        var fluenceBody = await ExpectAsync(fluence, (HttpStatusCode)status);
        var keysBody = await ExpectAsync(keys, (HttpStatusCode)status);
        var fluidstackBody = await ExpectAsync(fluidstack, (HttpStatusCode)status);
        var tokenBody = await ExpectAsync(token, (HttpStatusCode)status);
        Assert.Multiple(() =>
        {
            Assert.That(((JObject)fluenceBody).Properties().Select(p => p.Name), Is.EqualTo(new[] { "detail" }));
            Assert.That(((JObject)keysBody).Properties().Select(p => p.Name), Is.EqualTo(new[] { "code", "error" }));
            Assert.That(((JObject)fluidstackBody).Properties().Select(p => p.Name), Is.EqualTo(new[] { "message" }));
            Assert.That(((JObject)tokenBody).Properties().Select(p => p.Name), Is.EqualTo(new[] { "error", "error_description" }));
            Assert.That(fluidstack.Headers.RetryAfter?.Delta, Is.EqualTo(status == 503 ? TimeSpan.FromSeconds(7) : null));
        });
    }

    [Test]
    public async Task FaultsAreScopedByPathPrefixAndMethod()
    {
        Server.Faults.Add(FaultRule.Status(503, "/gpu/instances", "POST"));
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/instances/"), HttpStatusCode.OK);
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/plans/"), HttpStatusCode.OK);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, "instances"), new { name = "a", type = "cpu.2x" }), HttpStatusCode.Created);
        var plan = await ContainerPlanAsync();
        await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", ContainerBody((string)plan["plan"]!["id"]!)), HttpStatusCode.ServiceUnavailable);
        await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/vms", "{}"), HttpStatusCode.ServiceUnavailable);
        Assert.That(Server.Inventory.Instances(SandboxProvider.Fluence), Is.Empty, "a fault before the handler creates nothing");
    }

    [Test]
    public async Task ProbabilisticFaultsAreDeterministicForASeed()
    {
        async Task<string> Pattern(int seed)
        {
            await using var server = await SandboxServer.StartAsync(new SandboxOptions { Seed = seed });
            server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Probability = 0.3 });
            using var http = new HttpClient { BaseAddress = server.BaseUrl };
            http.DefaultRequestHeaders.Add("X-API-KEY", server.FluenceApiKey);
            var pattern = "";
            for (var i = 0; i < 40; i++)
            {
                using var response = await http.GetAsync("gpu/default-images/");
                pattern += response.StatusCode == HttpStatusCode.OK ? "." : "x";
            }

            return pattern;
        }

        var first = await Pattern(123);
        var second = await Pattern(123);
        var other = await Pattern(456);
        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(other, Is.Not.EqualTo(first));
            Assert.That(first, Does.Contain(".").And.Contain("x"));
        });
    }

    [Test]
    public async Task DroppedConnectionsAbortWithoutAResponse()
    {
        Server.Faults.Add(FaultRule.Of(FaultKind.DropConnection, "/fluidstack", count: 1));
        Assert.ThrowsAsync<HttpRequestException>(() => FluidstackAsync(HttpMethod.Get, Management("regions")));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Management("regions")), HttpStatusCode.OK);
    }

    [Test]
    public async Task AFaultAfterTheHandlerLosesTheAnswerOfAProcessedCreate()
    {
        Server.Faults.Add(new FaultRule { Kind = FaultKind.DropConnection, PathPrefix = "/fluidstack", Method = "POST", Count = 1, AfterHandler = true });
        Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 504, PathPrefix = "/gpu/instances", Method = "POST", Count = 1, AfterHandler = true });

        Assert.ThrowsAsync<HttpRequestException>(() => FluidstackAsync(HttpMethod.Post, Infra(EuNorth, "instances"), new { name = "lost", type = "cpu.2x" }));
        var plan = await ContainerPlanAsync();
        await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", ContainerBody((string)plan["plan"]!["id"]!, "lost-too")), HttpStatusCode.GatewayTimeout);

        Assert.Multiple(() =>
        {
            Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluidstack).Select(i => i.Name), Is.EqualTo(new[] { "lost" }));
            Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluence).Select(i => i.Name), Is.EqualTo(new[] { "lost-too" }));
            Assert.That(Server.Inventory.CreateRequests(SandboxProvider.Fluidstack, "lost"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task MalformedJsonBreaksParsing()
    {
        Server.Faults.Add(FaultRule.Of(FaultKind.MalformedJson, "/gpu/plans/vms"));
        var response = await FluenceAsync(HttpMethod.Get, "gpu/plans/vms");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(() => JToken.Parse(text), Throws.InstanceOf<JsonReaderException>());
            Assert.ThrowsAsync<FluenceApiException>(() => FluenceClient().ListVmPlansAsync());
        });
    }

    [Test]
    public async Task TruncatedJsonIsAPrefixOfTheRealBody()
    {
        var full = await (await FluenceAsync(HttpMethod.Get, "gpu/plans/")).Content.ReadAsStringAsync();
        Server.Faults.Add(FaultRule.Of(FaultKind.TruncatedJson, "/gpu/plans", count: 2));
        var response = await FluenceAsync(HttpMethod.Get, "gpu/plans/");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(full, Does.StartWith(text));
            Assert.That(text, Has.Length.LessThan(full.Length).And.Length.GreaterThan(0));
            Assert.That(() => JToken.Parse(text), Throws.InstanceOf<JsonReaderException>());
            Assert.ThrowsAsync<FluenceApiException>(() => FluenceClient().ListContainerPlansAsync());
        });
    }

    [Test]
    public async Task HtmlErrorPagesComeFromAProxy()
    {
        Server.Faults.Add(new FaultRule { Kind = FaultKind.HtmlError, PathPrefix = "/fluidstack", Count = 1 });
        var response = await FluidstackAsync(HttpMethod.Get, Management("regions"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(text, Does.Contain("<title>502 Bad Gateway</title>"));
        });

        Server.Faults.Add(new FaultRule { Kind = FaultKind.HtmlError, StatusCode = 503, PathPrefix = "/fluidstack", Count = 1 });
        var e = Assert.ThrowsAsync<FluidstackInfrastructureApiException>(() => InfrastructureClient().ListInstanceTypesAsync());
        Assert.Multiple(() =>
        {
            Assert.That(e!.StatusCode, Is.EqualTo(503));
            Assert.That(e.Response, Does.Contain("<html>"));
        });
    }

    [Test]
    public async Task UnknownEnumValuesReplaceStatuses()
    {
        var containerId = await DeployContainerAsync();
        var vmId = await DeployVmAsync();
        var fsId = (string)(await CreateFluidstackInstanceAsync())["id"]!;
        Server.Faults.Add(FaultRule.Of(FaultKind.UnknownEnum));

        var containers = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/instances/"), HttpStatusCode.OK);
        var vm = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/vms/{vmId}"), HttpStatusCode.OK);
        var fs = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, $"instances/{fsId}")), HttpStatusCode.OK);
        var typed = await FluenceClient().GetContainerInstanceAsync(containerId);
        var typedFs = await InfrastructureClient().ListInstancesAsync(Server.FluidstackProjectId);
        Assert.Multiple(() =>
        {
            Assert.That((string)containers.Single()["instance_status"]!, Is.EqualTo("HIBERNATING"));
            Assert.That((string)vm["status"]!, Is.EqualTo("HIBERNATING"));
            Assert.That((string)fs["state"]!, Is.EqualTo("hibernating"));
            Assert.That(typed.Instance_status, Is.EqualTo("HIBERNATING"), "statuses are strings in the generated clients");
            Assert.That(typed.Container_status, Is.EqualTo("NOT_STARTED"));
            Assert.That(typedFs.Single().State, Is.EqualTo("hibernating"));
        });

        Server.Faults.Clear();
        Server.Faults.Add(new FaultRule { Kind = FaultKind.UnknownEnum, Value = "PAUSED" });
        var paused = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{containerId}"), HttpStatusCode.OK);
        Assert.That((string)paused["instance_status"]!, Is.EqualTo("PAUSED"));
    }

    [Test]
    public async Task SlowBodiesArriveChunkByChunkAsTheClockMoves()
    {
        var full = await (await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "capabilities"), withProject: false)).Content.ReadAsStringAsync();
        Server.Faults.Add(new FaultRule { Kind = FaultKind.SlowBody, PathPrefix = "/fluidstack", ChunkSize = 100, Delay = TimeSpan.FromSeconds(1) });

        var request = new HttpRequestMessage(HttpMethod.Get, Infra(EuNorth, "capabilities"));
        request.Headers.Authorization = new("Bearer", Server.FluidstackToken);
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(full.Length));
        var read = response.Content.ReadAsStringAsync();

        var advances = 0;
        while (!read.IsCompleted)
        {
            var armed = Clock.WaitForTimerAsync();
            if (await Task.WhenAny(read, armed) == read) break;
            Assert.That(await armed, Is.True, "the sandbox should be waiting for the clock");
            Assert.That(read.IsCompleted, Is.False);
            Clock.Advance(TimeSpan.FromSeconds(1));
            advances++;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await read, Is.EqualTo(full));
            Assert.That(advances, Is.EqualTo((full.Length + 99) / 100 - 1));
        });
    }

    [Test]
    public async Task LatencyWaitsOnTheSandboxClock()
    {
        Server.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = TimeSpan.FromSeconds(30), PathPrefix = "/gpu/plans/vms", Count = 1 });
        var pending = FluenceAsync(HttpMethod.Get, "gpu/plans/vms");
        Assert.That(await Clock.WaitForTimerAsync(), Is.True);
        Assert.That(pending.IsCompleted, Is.False);
        Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.That(pending.IsCompleted, Is.False);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await ExpectAsync(await pending, HttpStatusCode.OK);
    }

    [Test]
    public async Task LatencyWithTheSystemClockDelaysTheAnswer()
    {
        await using var server = await SandboxServer.StartAsync();
        server.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = TimeSpan.FromMilliseconds(300) });
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        http.DefaultRequestHeaders.Add("X-API-KEY", server.FluenceApiKey);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var response = await http.GetAsync("gpu/default-images/");
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290)));
        });
    }

    [Test]
    public async Task TheControlEndpointSetsListsAndClearsFaults()
    {
        var created = await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/faults",
            "[{\"kind\":\"status\",\"status\":503,\"pathPrefix\":\"/gpu\",\"method\":\"GET\",\"count\":1,\"retryAfterSeconds\":3}," +
            " {\"kind\":\"unknownEnum\",\"pathPrefix\":\"/fluidstack\"}]"), HttpStatusCode.Created);
        Assert.That(created["rules"]!.Select(r => (string)r["kind"]!), Is.EqualTo(new[] { "status", "unknownEnum" }));

        var faulted = await FluenceAsync(HttpMethod.Get, "gpu/plans/");
        Assert.Multiple(() =>
        {
            Assert.That(faulted.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(faulted.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(3)));
        });

        var listed = await ExpectAsync(await SendAsync(HttpMethod.Get, "_sandbox/faults"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((int)listed["rules"]![0]!["fired"]!, Is.EqualTo(1));
            Assert.That((int)listed["rules"]![0]!["remaining"]!, Is.EqualTo(0));
        });

        var id = (int)listed["rules"]![1]!["id"]!;
        await ExpectAsync(await SendAsync(HttpMethod.Delete, $"_sandbox/faults/{id}"), HttpStatusCode.NoContent);
        await ExpectAsync(await SendAsync(HttpMethod.Delete, $"_sandbox/faults/{id}"), HttpStatusCode.NotFound);
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/faults", "{\"kind\":\"drop\",\"count\":5}"), HttpStatusCode.Created);
        await ExpectAsync(await SendAsync(HttpMethod.Delete, "_sandbox/faults"), HttpStatusCode.NoContent);
        Assert.That(Server.Faults.Rules, Is.Empty);

        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/faults", "{\"kind\":\"teleport\"}"), HttpStatusCode.BadRequest);
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/faults", "{\"kind\":\"status\"}"), HttpStatusCode.BadRequest);
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/faults", "{\"kind\":\"status\",\"status\":500,\"probability\":2}"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task ControlEndpointsAreNeverFaulted()
    {
        Server.Faults.Add(FaultRule.Of(FaultKind.DropConnection));
        await ExpectAsync(await SendAsync(HttpMethod.Get, "_sandbox/inventory"), HttpStatusCode.OK);
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/reset"), HttpStatusCode.NoContent);
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/plans/"), HttpStatusCode.OK);
    }

    [Test]
    public void RulesAreValidated()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Server.Faults.Add(new FaultRule { Kind = FaultKind.Status }), Throws.ArgumentException);
            Assert.That(() => Server.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 503, Probability = -1 }), Throws.ArgumentException);
            Assert.That(() => Server.Faults.Add(new FaultRule { Kind = FaultKind.SlowBody, ChunkSize = 0 }), Throws.ArgumentException);
        });
        var rule = Server.Faults.Add(FaultRule.Status(500));
        Assert.Multiple(() =>
        {
            Assert.That(() => Server.Faults.Add(rule), Throws.InvalidOperationException);
            Assert.That(Server.Faults.Remove(rule.Id), Is.True);
            Assert.That(rule.Remaining, Is.Null);
        });
    }
}

public sealed class FaultOptionsTests : SandboxTestBase
{
    protected override void Configure(SandboxOptions options) =>
        options.Faults.Add(FaultRule.Status(502, "/gpu/default-images", count: 1));

    [Test]
    public async Task FaultsCanBeSetByOptions()
    {
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/default-images/"), HttpStatusCode.BadGateway);
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/default-images/"), HttpStatusCode.OK);
    }
}
