using System.Net;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;

namespace GpuCloud.Sandbox.Tests;

public sealed class InventoryTests : SandboxTestBase
{
    [Test]
    public async Task CountsCreateRequestsPerProviderAndNameIncludingRejectedOnes()
    {
        await DeployContainerAsync("twin");
        await DeployVmAsync("twin");
        await ExpectAsync(await FluenceAsync(HttpMethod.Post, "gpu/instances/", new { name = "twin" }), HttpStatusCode.UnprocessableEntity);
        await CreateFluidstackInstanceAsync(name: "twin");
        await ExpectAsync(await SendAsync(HttpMethod.Post, "gpu/instances/", new { name = "unauthenticated" }), HttpStatusCode.Forbidden);

        Assert.Multiple(() =>
        {
            Assert.That(Server.Inventory.CreateRequests(SandboxProvider.Fluence, "twin"), Is.EqualTo(3));
            Assert.That(Server.Inventory.CreateRequests(SandboxProvider.Fluidstack, "twin"), Is.EqualTo(1));
            Assert.That(Server.Inventory.CreateRequests(SandboxProvider.Fluence, "unauthenticated"), Is.EqualTo(0));
            Assert.That(Server.Inventory.CreateRequestCounts(SandboxProvider.Fluence), Is.EquivalentTo(new Dictionary<string, int> { ["twin"] = 3 }));
            Assert.That(Server.Inventory.Instances().Select(i => (i.Provider, i.Kind)), Is.EqualTo(new[]
            {
                (SandboxProvider.Fluence, "container"), (SandboxProvider.Fluence, "vm"), (SandboxProvider.Fluidstack, "instance"),
            }));
        });
    }

    [Test]
    public async Task LiveInstancesTrackTheLifecycle()
    {
        var container = await DeployContainerAsync();
        var fs = (string)(await CreateFluidstackInstanceAsync())["id"]!;
        Assert.That(Server.Inventory.LiveInstances(), Has.Count.EqualTo(2));
        Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluence).Single().State, Is.EqualTo("INITIALIZED"));

        Advance(2);
        Assert.Multiple(() =>
        {
            Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluence).Single().State, Is.EqualTo("ACTIVE"));
            Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluidstack).Single().State, Is.EqualTo("running"));
            Assert.That(Server.Inventory.LiveInstances(SandboxProvider.Fluidstack).Single().Location, Is.EqualTo(EuNorth));
        });

        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{container}"), HttpStatusCode.NoContent);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, Infra(EuNorth, $"instances/{fs}")), HttpStatusCode.NoContent);
        Assert.Multiple(() =>
        {
            Assert.That(Server.Inventory.LiveInstances(), Is.Empty, "ended and deleting instances hold nothing");
            Assert.That(Server.Inventory.Instances().Select(i => i.State), Is.EqualTo(new[] { "ENDED", "deleting" }));
        });

        Advance(2);
        Assert.That(Server.Inventory.Instances().Select(i => i.State), Is.EqualTo(new[] { "ENDED" }), "a deleted Fluidstack instance disappears");
    }

    [Test]
    public async Task TheInventoryIsServedOverHttp()
    {
        await DeployContainerAsync("web-1");
        await CreateFluidstackInstanceAsync(UsEast, name: "node-1");
        var inventory = await ExpectAsync(await SendAsync(HttpMethod.Get, "_sandbox/inventory"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((int)inventory["createRequests"]!["fluence"]!["web-1"]!, Is.EqualTo(1));
            Assert.That((int)inventory["createRequests"]!["fluidstack"]!["node-1"]!, Is.EqualTo(1));
            Assert.That((int)inventory["live"]!["fluence"]!, Is.EqualTo(1));
            Assert.That((int)inventory["live"]!["fluidstack"]!, Is.EqualTo(1));
            Assert.That(inventory["instances"]!.Select(i => (string)i["name"]!), Is.EqualTo(new[] { "web-1", "node-1" }));
            Assert.That((decimal)inventory["fluenceBalance"]!, Is.EqualTo(Server.FluenceBalance));
        });
    }

    [Test]
    public async Task BalanceAndCapacityCanBeSetOverHttp()
    {
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/fluence/balance", new { balance = 1.5m }), HttpStatusCode.NoContent);
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/fluidstack/capacity", new { region = UsEast, type = "cpu.8x", capacity = 0 }), HttpStatusCode.NoContent);
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/fluidstack/capacity", new { region = UsEast, type = "nope", capacity = 0 }), HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(Server.FluenceBalance, Is.EqualTo(1.5m));
            Assert.That(Server.GetFluidstackCapacity(UsEast, "cpu.8x"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task ResetOverHttpForgetsInstancesAndCounts()
    {
        await DeployContainerAsync();
        await ExpectAsync(await SendAsync(HttpMethod.Post, "_sandbox/reset"), HttpStatusCode.NoContent);
        var list = (JArray)await ExpectAsync(await FluenceAsync(HttpMethod.Get, "gpu/instances/"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(list, Is.Empty);
            Assert.That(Server.Inventory.CreateRequestCounts(SandboxProvider.Fluence), Is.Empty);
        });
    }
}
