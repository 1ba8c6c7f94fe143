using System.Net;
using System.Text;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class FluidstackInfrastructureTests : SandboxTestBase
{
    private async Task<JObject> GetAsync(string region, string id) =>
        (JObject)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(region, $"instances/{id}")), HttpStatusCode.OK);

    private async Task<int> CapacityAsync(string region, string type)
    {
        var capacity = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(region, "capacity")), HttpStatusCode.OK);
        return (int)capacity.Single(c => (string)c["name"]! == type)["capacity"]!;
    }

    [Test]
    public async Task InstanceTypesUseOneSpellingPerRegion()
    {
        var eu = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "instance-types"), withProject: false), HttpStatusCode.OK);
        var us = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(UsEast, "instance-types"), withProject: false), HttpStatusCode.OK);
        var h100 = (JObject)eu.Single(t => (string)t["name"]! == "h100-hgx-80gb.8x");
        Assert.Multiple(() =>
        {
            Assert.That(h100.ToString(Newtonsoft.Json.Formatting.None),
                Is.EqualTo("{\"name\":\"h100-hgx-80gb.8x\",\"cpu\":96,\"memory\":\"960Gi\",\"gpuModel\":\"GH100_H100_SXM5_80GB\",\"gpuCount\":8}"));
            Assert.That(eu.Select(t => (string)t["name"]!), Is.SupersetOf(new[] { "a100-sxm4-80gb.8x", "l40s-48gb.4x", "cpu.2x" }));
            Assert.That(eu.SelectMany(t => ((JObject)t).Properties()).Select(p => p.Name), Has.None.EqualTo("gpu_model"));
            Assert.That(us.SelectMany(t => ((JObject)t).Properties()).Select(p => p.Name), Has.None.EqualTo("gpuModel"));
            Assert.That((string)us.Single(t => (string)t["name"]! == "l40s-48gb.4x")["gpu_model"]!, Is.EqualTo("AD102_L40S_48GB"));
            Assert.That(((JObject)eu.Single(t => (string)t["name"]! == "cpu.2x")).Properties().Select(p => p.Name), Is.EqualTo(new[] { "name", "cpu", "memory" }));
        });
    }

    [Test]
    public async Task CapabilitiesAndProjects()
    {
        var capabilities = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "capabilities"), withProject: false), HttpStatusCode.OK);
        var projects = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "projects"), withProject: false), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(capabilities.Select(c => (string)c!), Does.Contain("instances:create").And.Contain("instances:stop"));
            Assert.That((string)projects.Single()["id"]!, Is.EqualTo(Server.FluidstackProjectId.ToString()));
            Assert.That((string)projects.Single()["state"]!, Is.EqualTo("active"));
        });

        var created = await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, "projects"), new { name = "project-1", tags = new { team = "ml-ops" } }), HttpStatusCode.Created);
        var id = (string)created["id"]!;
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, $"projects/{id}")), HttpStatusCode.OK);

        // An instance in the new project is invisible from the default one.
        await ExpectAsync(await SendAsync(HttpMethod.Post, Infra(EuNorth, "instances"), new { name = "x", type = "cpu.2x" }, r =>
        {
            r.Headers.Authorization = new("Bearer", Server.FluidstackToken);
            r.Headers.Add("X-PROJECT-ID", id);
        }), HttpStatusCode.Created);
        var mine = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "instances")), HttpStatusCode.OK);
        Assert.That(mine, Is.Empty);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"projects/{id}")), HttpStatusCode.Forbidden);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"projects/{Guid.NewGuid()}")), HttpStatusCode.NotFound);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, "projects"), new { tags = new { } }), HttpStatusCode.BadRequest);
    }

    [TestCase("GET", "instances")]
    [TestCase("POST", "instances")]
    [TestCase("GET", "capacity")]
    [TestCase("GET", "instances/550e8400-e29b-41d4-a716-446655440000")]
    [TestCase("POST", "instances/550e8400-e29b-41d4-a716-446655440000/actions/stop")]
    [TestCase("GET", "filesystems")]
    [TestCase("GET", "kubernetes/clusters")]
    public async Task ProjectHeaderIsRequiredAndMustBeAProject(string method, string path)
    {
        var missing = await ExpectAsync(await FluidstackAsync(new HttpMethod(method), Infra(EuNorth, path), "{}", withProject: false), HttpStatusCode.BadRequest);
        var malformed = await ExpectAsync(await SendAsync(new HttpMethod(method), Infra(EuNorth, path), "{}", r =>
        {
            r.Headers.Authorization = new("Bearer", Server.FluidstackToken);
            r.Headers.Add("X-PROJECT-ID", "project-1");
        }), HttpStatusCode.BadRequest);
        var foreign = await ExpectAsync(await SendAsync(new HttpMethod(method), Infra(EuNorth, path), "{}", r =>
        {
            r.Headers.Authorization = new("Bearer", Server.FluidstackToken);
            r.Headers.Add("X-PROJECT-ID", Guid.NewGuid().ToString());
        }), HttpStatusCode.Forbidden);
        Assert.Multiple(() =>
        {
            Assert.That((string)missing["message"]!, Does.Contain("X-PROJECT-ID"));
            Assert.That((string)malformed["message"]!, Does.Contain("X-PROJECT-ID"));
            Assert.That((string)foreign["message"]!, Is.Not.Empty);
        });
    }

    [Test]
    public async Task UnknownRegionIs404()
    {
        var body = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra("mars-1", "instance-types")), HttpStatusCode.NotFound);
        Assert.That((string)body["message"]!, Does.Contain("mars-1"));
    }

    [Test]
    public async Task CreateGoesCreatingThenRunningWithAPrivateIpAndKeepsUserData()
    {
        var userData = Convert.ToBase64String(Encoding.UTF8.GetBytes("#cloud-config\nssh_authorized_keys:\n  - " + SshKeys.Ed25519() + "\n"));
        var created = await CreateFluidstackInstanceAsync(EuNorth, "h100-hgx-80gb.8x", "instance-1",
            new { userData, tags = new { environment = "production" }, preemptible = true });
        Assert.Multiple(() =>
        {
            Assert.That((string)created["state"]!, Is.EqualTo("creating"));
            Assert.That(created["ip"]!.Type, Is.EqualTo(JTokenType.Null));
            Assert.That((string)created["image"]!, Is.EqualTo("ubuntu22.04"));
            Assert.That((string)created["userData"]!, Is.EqualTo(userData));
            Assert.That((bool)created["preemptible"]!, Is.True);
            Assert.That((bool)created["ephemeral"]!, Is.False);
            Assert.That((string)created["tags"]!["environment"]!, Is.EqualTo("production"));
            Assert.That(created["filesystems"]!, Is.Empty);
        });
        var id = (string)created["id"]!;

        Advance(1);
        Assert.That((string)(await GetAsync(EuNorth, id))["state"]!, Is.EqualTo("creating"));
        Advance(1);
        var running = await GetAsync(EuNorth, id);
        Assert.Multiple(() =>
        {
            Assert.That((string)running["state"]!, Is.EqualTo("running"));
            Assert.That(IPAddress.Parse((string)running["ip"]!).ToString(), Does.StartWith("10."));
            Assert.That((string)running["userData"]!, Is.EqualTo(userData));
        });

        // Instances are regional.
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(UsEast, $"instances/{id}")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task CreationConsumesCapacityAndOutOfStockFollowsWhenItIsExhausted()
    {
        Assert.That(await CapacityAsync(UsEast, "h100-hgx-80gb.8x"), Is.EqualTo(1));
        var first = await CreateFluidstackInstanceAsync(UsEast, "h100-hgx-80gb.8x", "first");
        Assert.That(await CapacityAsync(UsEast, "h100-hgx-80gb.8x"), Is.EqualTo(0));
        var second = await CreateFluidstackInstanceAsync(UsEast, "h100-hgx-80gb.8x", "second");
        Assert.That((string)second["state"]!, Is.EqualTo("creating"));

        Advance(2);
        var outOfStock = await GetAsync(UsEast, (string)second["id"]!);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That((string)(await GetAsync(UsEast, (string)first["id"]!))["state"]!, Is.EqualTo("running"));
            Assert.That((string)outOfStock["state"]!, Is.EqualTo("out-of-stock"));
            Assert.That(outOfStock["ip"]!.Type, Is.EqualTo(JTokenType.Null));
        });

        // An out-of-stock instance cannot be started or stopped, and still has to be deleted.
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(UsEast, $"instances/{second["id"]}/actions/start")), HttpStatusCode.Conflict);
        Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluidstack), Has.Count.EqualTo(2));

        // Deleting returns capacity once the deletion completes.
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(UsEast, $"instances/{first["id"]}")), HttpStatusCode.NoContent);
        Assert.That(await CapacityAsync(UsEast, "h100-hgx-80gb.8x"), Is.EqualTo(0));
        Advance(2);
        Assert.That(await CapacityAsync(UsEast, "h100-hgx-80gb.8x"), Is.EqualTo(1));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(UsEast, $"instances/{second["id"]}")), HttpStatusCode.NoContent);
        Advance(2);
        Assert.That(await CapacityAsync(UsEast, "h100-hgx-80gb.8x"), Is.EqualTo(1), "an out-of-stock instance held no capacity");
    }

    [Test]
    public async Task CapacityCanBeSetPerRegionAndType()
    {
        Server.SetFluidstackCapacity(EuNorth, "cpu.2x", 0);
        var created = await CreateFluidstackInstanceAsync(EuNorth, "cpu.2x");
        Advance(2);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That((string)(await GetAsync(EuNorth, (string)created["id"]!))["state"]!, Is.EqualTo("out-of-stock"));
            Assert.That(await CapacityAsync(UsEast, "cpu.2x"), Is.EqualTo(20));
            Assert.That(() => Server.SetFluidstackCapacity(EuNorth, "nope.1x", 1), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task StopAndStartGoThroughStoppingAndStarting()
    {
        var id = (string)(await CreateFluidstackInstanceAsync())["id"]!;
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, $"instances/{id}/actions/stop")), HttpStatusCode.Conflict);
        Advance(2);

        var stop = await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, $"instances/{id}/actions/stop"));
        Assert.That(stop.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await stop.Content.ReadAsStringAsync(), Is.Empty);
        Assert.That((string)(await GetAsync(EuNorth, id))["state"]!, Is.EqualTo("stopping"));
        var conflict = await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, $"instances/{id}/actions/start")), HttpStatusCode.Conflict);
        Assert.That((string)conflict["message"]!, Does.Contain("stopping"));
        Advance(2);
        Assert.That((string)(await GetAsync(EuNorth, id))["state"]!, Is.EqualTo("stopped"));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, $"instances/{id}/actions/stop")), HttpStatusCode.Conflict);

        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, $"instances/{id}/actions/start")), HttpStatusCode.Accepted);
        Assert.That((string)(await GetAsync(EuNorth, id))["state"]!, Is.EqualTo("starting"));
        Advance(2);
        var running = await GetAsync(EuNorth, id);
        Assert.Multiple(() =>
        {
            Assert.That((string)running["state"]!, Is.EqualTo("running"));
            Assert.That(running["ip"]!.Type, Is.EqualTo(JTokenType.String));
        });
    }

    [Test]
    public async Task DeleteGoesDeletingThen404()
    {
        var id = (string)(await CreateFluidstackInstanceAsync())["id"]!;
        Advance(2);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"instances/{id}")), HttpStatusCode.NoContent);
        Assert.That((string)(await GetAsync(EuNorth, id))["state"]!, Is.EqualTo("deleting"));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"instances/{id}")), HttpStatusCode.NoContent);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, $"instances/{id}/actions/stop")), HttpStatusCode.Conflict);
        Advance(2);
        var gone = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, $"instances/{id}")), HttpStatusCode.NotFound);
        Assert.That((string)gone["message"]!, Is.EqualTo("instance not found"));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"instances/{id}")), HttpStatusCode.NotFound);
        var list = (JArray)await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, "instances")), HttpStatusCode.OK);
        Assert.That(list, Is.Empty);
    }

    [Test]
    public async Task AProvisioningFailureEndsInErrorAndReturnsCapacity()
    {
        Server.Faults.Add(FaultRule.Of(FaultKind.ProvisioningFailure, "/fluidstack", "POST", count: 1));
        var id = (string)(await CreateFluidstackInstanceAsync(UsEast, "h100-hgx-80gb.8x"))["id"]!;
        Assert.That(await CapacityAsync(UsEast, "h100-hgx-80gb.8x"), Is.EqualTo(0));
        Advance(2);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That((string)(await GetAsync(UsEast, id))["state"]!, Is.EqualTo("error"));
            Assert.That(await CapacityAsync(UsEast, "h100-hgx-80gb.8x"), Is.EqualTo(1));
        });
    }

    private static IEnumerable<TestCaseData> InvalidCreates()
    {
        yield return new TestCaseData("{\"type\":\"cpu.2x\"}", "name").SetName("CreateValidation(missing name)");
        yield return new TestCaseData("{\"name\":\"x\"}", "type").SetName("CreateValidation(missing type)");
        yield return new TestCaseData("{\"name\":\"x\",\"type\":\"h999.1x\"}", "h999.1x").SetName("CreateValidation(unknown type)");
        yield return new TestCaseData("{\"name\":\"x\",\"type\":\"cpu.2x\",\"userData\":\"#cloud-config\"}", "userData").SetName("CreateValidation(userData not base64)");
        yield return new TestCaseData("{\"name\":\"x\",\"type\":\"cpu.2x\",\"tags\":{\"-bad\":\"v\"}}", "tag").SetName("CreateValidation(bad tag key)");
        yield return new TestCaseData("{\"name\":\"x\",\"type\":\"cpu.2x\",\"preemptible\":\"yes\"}", "preemptible").SetName("CreateValidation(preemptible not boolean)");
        yield return new TestCaseData("{\"name\":\"x\",\"type\":\"cpu.2x\",\"filesystems\":[\"nope\"]}", "filesystems").SetName("CreateValidation(filesystem not uuid)");
        yield return new TestCaseData("not json", "body").SetName("CreateValidation(not json)");
    }

    [TestCaseSource(nameof(InvalidCreates))]
    public async Task CreateValidation(string body, string mentioned)
    {
        var error = await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, "instances"), body), HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(((JObject)error).Properties().Select(p => p.Name), Is.EqualTo(new[] { "message" }));
            Assert.That((string)error["message"]!, Does.Contain(mentioned));
            Assert.That(Server.Inventory.Instances(SandboxProvider.Fluidstack), Is.Empty);
        });
    }

    [Test]
    public async Task FilesystemsCanBeCreatedAttachedAndDeleted()
    {
        var fs = await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, "filesystems"), new { name = "fs-1", size = "512Gi" }), HttpStatusCode.Created);
        var fsId = (string)fs["id"]!;
        var missingFs = await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, "instances"),
            new { name = "x", type = "cpu.2x", filesystems = new[] { Guid.NewGuid() } }), HttpStatusCode.NotFound);
        Assert.That((string)missingFs["message"]!, Does.Contain("filesystem"));

        var instance = await CreateFluidstackInstanceAsync(extra: new { filesystems = new[] { fsId } });
        Assert.That(instance["filesystems"]!.Select(f => (string)f!), Is.EqualTo(new[] { fsId }));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"filesystems/{fsId}")), HttpStatusCode.Forbidden);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"instances/{instance["id"]}")), HttpStatusCode.NoContent);
        Advance(2);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"filesystems/{fsId}")), HttpStatusCode.NoContent);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, $"filesystems/{fsId}")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task KubernetesAndSlurmAreMinimal()
    {
        foreach (var kind in new[] { "kubernetes", "slurm" })
        {
            var list = await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, $"{kind}/clusters")), HttpStatusCode.OK);
            Assert.That(list, Is.Empty);
            await ExpectAsync(await FluidstackAsync(HttpMethod.Post, Infra(EuNorth, $"{kind}/clusters"), new { name = "c" }), HttpStatusCode.NotImplemented);
            await ExpectAsync(await FluidstackAsync(HttpMethod.Get, Infra(EuNorth, $"{kind}/clusters/{Guid.NewGuid()}")), HttpStatusCode.NotFound);
        }
    }
}
