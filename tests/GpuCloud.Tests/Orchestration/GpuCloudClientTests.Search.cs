namespace GpuCloud.Tests;

public partial class GpuCloudClientTests
{
    [Test]
    public async Task Search_OneProviderFailing_ReturnsTheOthersPlans_AndTheFailure()
    {
        var error = Build.Error(GpuCloudErrorCode.ProviderUnavailable, "alpha");
        var alpha = new FakeProvider("alpha") { ListPlansError = error };
        var beta = new FakeProvider("beta");
        beta.Plans.AddRange([Build.Plan("beta", "b1", 2m), Build.Plan("beta", "b2", 1m)]);
        using var client = new GpuCloudClient([alpha, beta]);

        var result = await client.ListPlansAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "b2", "b1" }));
            Assert.That(result.Failures, Has.Count.EqualTo(1));
            Assert.That(result.Failures[0].Provider, Is.EqualTo("alpha"));
            Assert.That(result.Failures[0].Region, Is.Null);
            Assert.That(result.Failures[0].Error, Is.SameAs(error));
        }
    }

    [Test]
    public async Task Search_UnexpectedExceptionFromAProvider_IsAnUnknownFailure()
    {
        var alpha = new FakeProvider("alpha") { ListPlansError = new InvalidOperationException("kaboom") };
        var beta = new FakeProvider("beta");
        beta.Plans.Add(Build.Plan("beta", "b1", 2m));
        using var client = new GpuCloudClient([alpha, beta]);

        var result = await client.ListPlansAsync();

        var failure = result.Failures.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(1));
            Assert.That(failure.Error.Code, Is.EqualTo(GpuCloudErrorCode.Unknown));
            Assert.That(failure.Error.Message, Is.EqualTo("alpha: kaboom"));
            Assert.That(failure.Error.InnerException, Is.InstanceOf<InvalidOperationException>());
        }
    }

    [Test]
    public async Task Search_RegionFailuresOfAProvider_AreKept()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        alpha.PlanFailures.Add(new ProviderFailure("alpha", "eu-1", Build.Error(GpuCloudErrorCode.Timeout)));
        using var client = new GpuCloudClient([alpha]);

        var result = await client.ListPlansAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(1));
            Assert.That(result.Failures.Single().Region, Is.EqualTo("eu-1"));
        }
    }

    [Test]
    public void Search_CallersCancellation_IsNotAFailure()
    {
        var alpha = new FakeProvider("alpha");
        using var client = new GpuCloudClient([alpha]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(async () => await client.ListPlansAsync(null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Search_OverHttp_FluenceDown_FluidstackUp()
    {
        using var fluenceHttp = new RecordingHttp();
        foreach (var url in new[] { FluenceJson.ContainerPlansUrl, FluenceJson.VmPlansUrl, FluenceJson.BareMetalPlansUrl })
            fluenceHttp.Raw(HttpMethod.Get, url, HttpStatusCode.ServiceUnavailable, "<html>maintenance</html>", "text/html");
        using var fluidstackHttp = new RecordingHttp();
        fluidstackHttp.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.SandboxOnly);
        fluidstackHttp.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/instance-types", FluidstackJson.InstanceTypes);
        fluidstackHttp.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/capacity", FluidstackJson.Capacity);
        using var fluence = Build.Fluence(fluenceHttp);
        using var fluidstack = Build.Fluidstack(fluidstackHttp);
        using var client = new GpuCloudClient([fluence, fluidstack]);

        var result = await client.ListPlansAsync(new PlanQuery { GpuModels = ["H100"] });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "sandbox/h100-hgx-80gb.8x" }));
            Assert.That(result.Failures.Single().Provider, Is.EqualTo("fluence"));
            Assert.That(result.Failures.Single().Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(result.Failures.Single().Error.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
    }
}
