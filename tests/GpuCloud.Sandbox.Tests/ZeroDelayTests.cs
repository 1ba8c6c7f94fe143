using System.Net;
using GpuCloud.Sandbox.Tests.Support;

namespace GpuCloud.Sandbox.Tests;

/// <summary>With zero delays (and the real clock) every transition is visible on the very next request.</summary>
public sealed class ZeroDelayTests : SandboxTestBase
{
    protected override void Configure(SandboxOptions options)
    {
        options.TimeProvider = TimeProvider.System;
        options.ProvisioningDelay = TimeSpan.Zero;
        options.StartStopDelay = TimeSpan.Zero;
        options.DeletionDelay = TimeSpan.Zero;
    }

    [Test]
    public async Task FluenceIsActiveOnTheNextRead()
    {
        var id = await DeployContainerAsync();
        var detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.That((string)detail["instance_status"]!, Is.EqualTo("ACTIVE"));
        await ExpectAsync(await FluenceAsync(HttpMethod.Delete, $"gpu/instances/{id}"), HttpStatusCode.NoContent);
        detail = await ExpectAsync(await FluenceAsync(HttpMethod.Get, $"gpu/instances/{id}"), HttpStatusCode.OK);
        Assert.That((string)detail["instance_status"]!, Is.EqualTo("ENDED"));
    }

    [Test]
    public async Task FluidstackRunsStopsStartsAndDisappearsOnTheNextRead()
    {
        var created = await CreateFluidstackInstanceAsync();
        var path = Infra(EuNorth, $"instances/{created["id"]}");
        Assert.That((string)created["state"]!, Is.EqualTo("creating"), "the create response still shows creating");
        Assert.That((string)(await ExpectAsync(await FluidstackAsync(HttpMethod.Get, path), HttpStatusCode.OK))["state"]!, Is.EqualTo("running"));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, path + "/actions/stop"), HttpStatusCode.Accepted);
        Assert.That((string)(await ExpectAsync(await FluidstackAsync(HttpMethod.Get, path), HttpStatusCode.OK))["state"]!, Is.EqualTo("stopped"));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Post, path + "/actions/start"), HttpStatusCode.Accepted);
        Assert.That((string)(await ExpectAsync(await FluidstackAsync(HttpMethod.Get, path), HttpStatusCode.OK))["state"]!, Is.EqualTo("running"));
        await ExpectAsync(await FluidstackAsync(HttpMethod.Delete, path), HttpStatusCode.NoContent);
        await ExpectAsync(await FluidstackAsync(HttpMethod.Get, path), HttpStatusCode.NotFound);
        Assert.That(Server.Inventory.Instances(), Is.Empty);
    }
}
