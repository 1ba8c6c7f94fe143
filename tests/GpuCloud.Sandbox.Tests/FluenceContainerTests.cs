using System.Net;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluenceContainerTests : SandboxTestBase
{
    [Test]
    public async Task DeployGoesInitializedThenActiveThenEnded()
    {
        var id = await DeployContainerAsync("fuchsia-hawk");
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["instance_status"]!, Is.EqualTo("INITIALIZED"));
            Assert.That((string)detail["container_status"]!, Is.EqualTo("NOT_STARTED"));
            Assert.That(detail["network"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That((string)detail["name"]!, Is.EqualTo("fuchsia-hawk"));
        });

        Advance(1.9);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.That((string)detail["instance_status"]!, Is.EqualTo("INITIALIZED"));

        Advance(0.1);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        var network = detail["network"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["instance_status"]!, Is.EqualTo("ACTIVE"));
            Assert.That((string)detail["container_status"]!, Is.EqualTo("STARTED"));
            Assert.That((string)network["domain"]!, Is.Not.Empty);
            Assert.That((string)network["forwarded_ports"]![0]!["port"]!, Is.EqualTo("22"));
            Assert.That(int.Parse((string)network["forwarded_ports"]![0]!["external_port"]!), Is.InRange(1024, 65535));
            Assert.That((decimal)detail["billing"]!["hourly_usage"]!, Is.GreaterThan(0m));
            Assert.That((string)detail["billing"]!["next_billing_period"]!, Does.EndWith(":00:00.000000Z"));
            Assert.That((string)detail["updated_at"]!, Is.Not.EqualTo((string)detail["created_at"]!));
        });

        var list = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/instances/"), HttpStatusCode.OK);
        Assert.That((string)list.Single()["domain"]!, Is.EqualTo((string)network["domain"]!));

        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{id}"), HttpStatusCode.NoContent);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        list = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/instances/"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["instance_status"]!, Is.EqualTo("ENDED"));
            Assert.That((string)detail["container_status"]!, Is.EqualTo("NOT_STARTED"));
            Assert.That(detail["network"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That((decimal)detail["billing"]!["reserved_amount"]!, Is.EqualTo(0m));
            Assert.That(detail["billing"]!["next_billing_period"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That((string)list.Single()["instance_status"]!, Is.EqualTo("ENDED"), "ended instances stay listed");
            Assert.That(list.Single()["domain"]!.Type, Is.EqualTo(JTokenType.Null));
        });
    }

    [Test]
    public async Task SshKeyReachesTheContainerAsSshPubkeyAndHttpPortGivesAUri()
    {
        var plan = await ContainerPlanAsync();
        var key = SshKeys.Ed25519(5);
        var body = ContainerBody((string)plan["plan"]!["id"]!, "web", key, new[] { new { port = "22", protocol = "tcp" }, new { port = "80", protocol = "http" } });
        var id = (string)(await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", body), HttpStatusCode.OK))["instance_id"]!;
        Advance(2);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(detail["container_info"]!["environment"]!.Single(e => (string)e["name"]! == "SSH_PUBKEY")["value"]!.ToString(), Is.EqualTo(key));
            Assert.That((string)detail["network"]!["uri"]!, Does.StartWith("http://"));
            Assert.That(detail["network"]!["forwarded_ports"]!.Select(p => (string)p["port"]!), Is.EqualTo(new[] { "22" }));
        });
    }

    [Test]
    public async Task TerminatingANonActiveInstanceIs400()
    {
        var id = await DeployContainerAsync();
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{id}"), HttpStatusCode.BadRequest);
        Assert.That((string)body["detail"]!, Does.Contain("ACTIVE"));

        Advance(2);
        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{id}"), HttpStatusCode.NoContent);
        body = await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{id}"), HttpStatusCode.BadRequest);
        Assert.That((string)body["detail"]!, Does.Contain("ENDED"));
    }

    [TestCase("GET", "")]
    [TestCase("DELETE", "")]
    [TestCase("GET", "/logs")]
    [TestCase("GET", "/events")]
    public async Task UnknownInstanceIs404(string method, string suffix)
    {
        var body = await ExpectAsync(await FluenceAsync(new HttpMethod(method), $"gpu/instances/{Guid.NewGuid()}{suffix}"), HttpStatusCode.NotFound);
        Assert.That((string)body["detail"]!, Is.EqualTo("Instance not found"));
    }

    [Test]
    public async Task MalformedInstanceIdIs422()
    {
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/instances/not-a-uuid"), HttpStatusCode.UnprocessableEntity);
        var item = body["detail"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That((string)item["type"]!, Is.EqualTo("uuid_parsing"));
            Assert.That(item["loc"]!.Select(l => (string)l!), Is.EqualTo(new[] { "path", "instance_id" }));
            Assert.That((string)item["input"]!, Is.EqualTo("not-a-uuid"));
        });
    }

    [Test]
    public async Task AVmIdIsNotAContainer()
    {
        var vm = await DeployVmAsync();
        await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{vm}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task InsufficientBalanceIs400AndTerminationRefundsUnusedHours()
    {
        var plan = await ContainerPlanAsync();
        var price = (decimal)plan["plan"]!["pricing"]!["hour"]!;
        Server.FluenceBalance = price * 3 - 0.01m;
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", ContainerBody((string)plan["plan"]!["id"]!)), HttpStatusCode.BadRequest);
        Assert.That(body.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo("{\"detail\":\"Insufficient balance to deploy instance\"}"));

        Server.FluenceBalance = 100m;
        var id = (string)(await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", ContainerBody((string)plan["plan"]!["id"]!)), HttpStatusCode.OK))["instance_id"]!;
        Assert.That(Server.FluenceBalance, Is.EqualTo(100m - price * 3));
        Advance(2);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.That((decimal)detail["billing"]!["reserved_amount"]!, Is.EqualTo(price * 2));
        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{id}"), HttpStatusCode.NoContent);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(Server.FluenceBalance, Is.EqualTo(100m - price));
            Assert.That((decimal)detail["billing"]!["total_spendings"]!, Is.EqualTo(price));
        });
    }

    [Test]
    public async Task UnknownPlanAndForeignLocationAre400()
    {
        var body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", ContainerBody(Guid.NewGuid().ToString())), HttpStatusCode.BadRequest);
        Assert.That((string)body["detail"]!, Does.Contain("not available"));

        var plan = await ContainerPlanAsync();
        var locations = plan["attributes"]!["location"]!.Select(l => (string)l!).ToList();
        var foreign = new[] { "US", "DE", "FI", "NL", "CA", "GB", "NO", "FR", "JP" }.First(l => !locations.Contains(l));
        var request = JObject.FromObject(ContainerBody((string)plan["plan"]!["id"]!));
        request["constraints"] = new JObject { ["location"] = foreign };
        body = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", request.ToString()), HttpStatusCode.BadRequest);
        Assert.That((string)body["detail"]!, Does.Contain(foreign).And.Contain(string.Join(", ", locations)));

        request["constraints"]!["location"] = locations.Last();
        var id = (string)(await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", request.ToString()), HttpStatusCode.OK))["instance_id"]!;
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.That((string)detail["location"]!, Is.EqualTo(locations.Last()));
    }

    private static IEnumerable<TestCaseData> InvalidDeploys()
    {
        TestCaseData Case(string name, Action<JObject> mutate, string type, params object[] loc) =>
            new TestCaseData(mutate, type, loc).SetName($"DeployValidation({name})");

        yield return Case("name too long", b => b["name"] = new string('a', 26), "string_too_long", "body", "name");
        yield return Case("empty name", b => b["name"] = "", "string_too_short", "body", "name");
        yield return Case("upper-case name", b => b["name"] = "My-Box", "string_pattern_mismatch", "body", "name");
        yield return Case("name ends with hyphen", b => b["name"] = "box-", "string_pattern_mismatch", "body", "name");
        yield return Case("missing plan_id", b => b.Remove("plan_id"), "missing", "body", "plan_id");
        yield return Case("missing container_settings", b => b.Remove("container_settings"), "missing", "body", "container_settings");
        yield return Case("port too large", b => b["container_settings"]!["expose"]![0]!["port"] = "999999999", "value_error", "body", "container_settings", "expose", 0, "port");
        yield return Case("port zero", b => b["container_settings"]!["expose"]![0]!["port"] = "0", "value_error", "body", "container_settings", "expose", 0, "port");
        yield return Case("port not a number", b => b["container_settings"]!["expose"]![0]!["port"] = "ssh", "value_error", "body", "container_settings", "expose", 0, "port");
        yield return Case("port as integer", b => b["container_settings"]!["expose"]![0]!["port"] = 22, "string_type", "body", "container_settings", "expose", 0, "port");
        yield return Case("unknown protocol", b => b["container_settings"]!["expose"]![0]!["protocol"] = "sctp", "enum", "body", "container_settings", "expose", 0, "protocol");
        yield return Case("http not on 80", b => b["container_settings"]!["expose"]![0] = new JObject { ["port"] = "8080", ["protocol"] = "http" }, "value_error", "body", "container_settings", "expose", 0);
        yield return Case("no ports", b => b["container_settings"]!["expose"] = new JArray(), "too_short", "body", "container_settings", "expose");
        yield return Case("eleven ports", b => b["container_settings"]!["expose"] = new JArray(Enumerable.Range(1, 11).Select(p => new JObject { ["port"] = (1000 + p).ToString() })), "too_long", "body", "container_settings", "expose");
        yield return Case("missing expose", b => ((JObject)b["container_settings"]!).Remove("expose"), "missing", "body", "container_settings", "expose");
        yield return Case("env name lower case", b => b["container_settings"]!["environment"] = new JArray(new JObject { ["name"] = "model_path", ["value"] = "x" }), "string_pattern_mismatch", "body", "container_settings", "environment", 0, "name");
        yield return Case("env name starts with digit", b => b["container_settings"]!["environment"] = new JArray(new JObject { ["name"] = "1X", ["value"] = "x" }), "string_pattern_mismatch", "body", "container_settings", "environment", 0, "name");
        yield return Case("SSH_PUBKEY reserved", b => b["container_settings"]!["environment"] = new JArray(new JObject { ["name"] = "SSH_PUBKEY", ["value"] = "x" }), "value_error", "body", "container_settings", "environment", 0, "name");
        yield return Case("65 env vars", b => b["container_settings"]!["environment"] = new JArray(Enumerable.Range(0, 65).Select(i => new JObject { ["name"] = $"V{i}", ["value"] = "x" })), "too_long", "body", "container_settings", "environment");
        yield return Case("upper-case image", b => b["container_settings"]!["image"] = "Docker.io/X:1", "value_error", "body", "container_settings", "image");
        yield return Case("image too long", b => b["container_settings"]!["image"] = new string('a', 256), "string_too_long", "body", "container_settings", "image");
        yield return Case("startup command too long", b => b["container_settings"]!["startup_command"] = new string('a', 2049), "string_too_long", "body", "container_settings", "startup_command");
        yield return Case("unknown registry", b => b["container_settings"]!["credentials"] = new JObject { ["host"] = "quay.io", ["username"] = "u", ["password"] = "p" }, "enum", "body", "container_settings", "credentials", "host");
    }

    [TestCaseSource(nameof(InvalidDeploys))]
    public async Task DeployValidation(Action<JObject> mutate, string type, object[] loc)
    {
        var plan = await ContainerPlanAsync();
        var body = JObject.FromObject(ContainerBody((string)plan["plan"]!["id"]!));
        mutate(body);
        var error = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", body.ToString()), HttpStatusCode.UnprocessableEntity);
        var item = error["detail"]!.First(d => (string)d["type"]! == type);
        Assert.Multiple(() =>
        {
            Assert.That(item["loc"]!.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(new JArray(loc).ToString(Newtonsoft.Json.Formatting.None)));
            Assert.That(((JObject)item).Properties().Select(p => p.Name), Is.EqualTo(new[] { "type", "loc", "msg", "input", "ctx" }));
            Assert.That((string)item["msg"]!, Is.Not.Empty);
            Assert.That(Server.Inventory.Instances(SandboxProvider.Fluence), Is.Empty);
        });
    }

    [Test]
    public async Task DocumentedPortErrorIsReproducedExactly()
    {
        var plan = await ContainerPlanAsync();
        var body = JObject.FromObject(ContainerBody((string)plan["plan"]!["id"]!));
        body["container_settings"]!["expose"]![0]!["port"] = "999999999";
        var error = await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", body.ToString()), HttpStatusCode.UnprocessableEntity);
        Assert.That(error.ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
            "{\"detail\":[{\"type\":\"value_error\",\"loc\":[\"body\",\"container_settings\",\"expose\",0,\"port\"]," +
            "\"msg\":\"Value error, Port must be between 1 and 65535\",\"input\":\"999999999\",\"ctx\":{\"error\":{}}}]}"));
    }

    [TestCase("")]
    [TestCase("{not json")]
    [TestCase("[1,2]")]
    public async Task BodiesThatAreNotObjectsAre422(string body)
    {
        var response = await SendAsync(HttpMethod.Post, "gpu/instances/", null, r =>
        {
            r.Headers.Add("X-API-KEY", Server.FluenceApiKey);
            r.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        });
        var error = await ExpectAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.That(error["detail"]![0]!["loc"]![0]!.ToString(), Is.EqualTo("body"));
    }

    [Test]
    public async Task ProtocolDefaultsToTcp()
    {
        var plan = await ContainerPlanAsync();
        var id = (string)(await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/",
            ContainerBody((string)plan["plan"]!["id"]!, expose: new[] { new { port = "8000" } })), HttpStatusCode.OK))["instance_id"]!;
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.That((string)detail["container_info"]!["expose"]![0]!["protocol"]!, Is.EqualTo("tcp"));
    }

    [Test]
    public async Task UpdateReplacesSettingsKeepsPortsAndRejectsAnUpdateInProgress()
    {
        var id = await DeployContainerAsync();
        Advance(2);
        var update = new
        {
            name = "my-updated-container",
            container_settings = new
            {
                image = "docker.io/fluencelabs/debian-ssh-root:11",
                expose = new[] { new { port = "9999", protocol = "tcp" } },
                environment = new[] { new { name = "MODEL_PATH", value = "/models/llama-v2" } },
                startup_command = "python3 serve.py --port 8000",
            },
        };
        await ExpectAsync(await FluenceAsync(HttpMethod.Put, $"gpu/instances/{id}", update), HttpStatusCode.NoContent);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["name"]!, Is.EqualTo("my-updated-container"));
            Assert.That((string)detail["container_info"]!["startup_command"]!, Is.EqualTo("python3 serve.py --port 8000"));
            Assert.That((string)detail["container_info"]!["environment"]![0]!["value"]!, Is.EqualTo("/models/llama-v2"));
            Assert.That((string)detail["container_info"]!["expose"]![0]!["port"]!, Is.EqualTo("22"), "expose is ignored on update");
        });

        var busy = await ExpectAsync(await FluenceAsync(HttpMethod.Put, $"gpu/instances/{id}", update), HttpStatusCode.BadRequest);
        Assert.That((string)busy["detail"]!, Does.Contain("previous update"));
        Advance(2);
        await ExpectAsync(await FluenceAsync(HttpMethod.Put, $"gpu/instances/{id}", update), HttpStatusCode.NoContent);

        var invalid = await ExpectAsync(await FluenceAsync(HttpMethod.Put, $"gpu/instances/{id}", new { name = "X" }), HttpStatusCode.UnprocessableEntity);
        Assert.That(invalid["detail"]!.Select(d => (string)d["type"]!), Is.EquivalentTo(new[] { "string_pattern_mismatch", "missing" }));
    }

    [Test]
    public async Task LogsAndEventsFollowTheLifecycleAndHonourLast()
    {
        var id = await DeployContainerAsync();
        var events = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}/events"), HttpStatusCode.OK);
        var logs = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}/logs"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => (string)e!), Has.Some.Contains("[Scheduled]"));
            Assert.That(events.Select(e => (string)e!), Has.None.Contains("[Started]"));
            Assert.That(logs, Is.Empty);
        });

        Advance(2);
        events = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}/events"), HttpStatusCode.OK);
        logs = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}/logs"), HttpStatusCode.OK);
        var lastTwo = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}/events?last=2"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)events.Last()!, Does.Contain("[Normal] [Started] Started container service-1"));
            Assert.That(logs.Select(l => (string)l!), Has.Some.Contains("Server listening on 0.0.0.0 port 22."));
            Assert.That(lastTwo.Select(e => (string)e!), Is.EqualTo(events.Skip(events.Count - 2).Select(e => (string)e!)));
        });

        var bad = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}/logs?last=abc"), HttpStatusCode.UnprocessableEntity);
        Assert.That((string)bad["detail"]![0]!["type"]!, Is.EqualTo("int_parsing"));
    }

    [Test]
    public async Task AFailedProvisioningEndsFailedAndIsRefunded()
    {
        Server.Faults.Add(FaultRule.Of(FaultKind.ProvisioningFailure, "/gpu/instances", "POST", count: 1));
        var before = Server.FluenceBalance;
        var id = await DeployContainerAsync();
        Advance(2);
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        var events = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}/events"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((string)detail["instance_status"]!, Is.EqualTo("FAILED"));
            Assert.That(Server.FluenceBalance, Is.EqualTo(before));
            Assert.That(events.Select(e => (string)e!), Has.Some.Contains("[Warning] [Failed]"));
            Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluence), Is.Empty);
        });

        var second = await DeployContainerAsync("second");
        Advance(2);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{second}"), HttpStatusCode.OK);
        Assert.That((string)detail["instance_status"]!, Is.EqualTo("ACTIVE"));
    }
}
