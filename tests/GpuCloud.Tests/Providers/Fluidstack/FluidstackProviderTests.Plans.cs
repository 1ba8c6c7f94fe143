using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

public partial class FluidstackProviderTests
{
    [Test]
    public async Task Plans_PerRegion_WithCapacityAndConfiguredPrices()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        RegionalPlans(http, Sandbox);
        RegionalPlans(http, Eu1);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        Assert.That(result.Failures, Is.Empty);
        Assert.That(result.Plans.Select(p => p.Id), Is.EquivalentTo(new[]
        {
            "sandbox/h100-hgx-80gb.8x", "sandbox/a100-sxm4-80gb.4x", "sandbox/cpu.2x",
            "eu-1/h100-hgx-80gb.8x", "eu-1/a100-sxm4-80gb.4x", "eu-1/cpu.2x",
        }));
        var h100 = result.Plans.Single(p => p.Id == "sandbox/h100-hgx-80gb.8x");
        var a100 = result.Plans.Single(p => p.Id == "sandbox/a100-sxm4-80gb.4x");
        var cpu = result.Plans.Single(p => p.Id == "sandbox/cpu.2x");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(h100.Provider, Is.EqualTo("fluidstack"));
            Assert.That(h100.Name, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(h100.ProviderPlanName, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(h100.Workload, Is.EqualTo(WorkloadType.VirtualMachine));
            Assert.That(h100.Gpu, Is.EqualTo(new GpuSpec("nvidia", "H100", 80, GpuInterconnect.SXM, 8) { IsKnownModel = true }), "camelCase gpuModel/gpuCount");
            Assert.That(h100.ProviderGpuName, Is.EqualTo("GH100_H100_SXM5_80GB"));
            Assert.That(h100.VCpus, Is.EqualTo(96));
            Assert.That(h100.MemoryGiB, Is.EqualTo(960));
            Assert.That(h100.PricePerHour, Is.EqualTo(23.92m), "from FluidstackOptions.PricePerHour");
            Assert.That(h100.Currency, Is.EqualTo("USD"));
            Assert.That(h100.Locations, Is.EqualTo(new[] { "sandbox" }));
            Assert.That(h100.Region, Is.EqualTo("sandbox"));
            Assert.That(h100.Availability, Is.EqualTo(PlanAvailability.Available));
            Assert.That(h100.AvailableCount, Is.EqualTo(1));

            Assert.That(a100.Gpu, Is.EqualTo(new GpuSpec("nvidia", "A100", 80, GpuInterconnect.SXM, 4) { IsKnownModel = true }), "snake_case gpu_model/gpu_count");
            Assert.That(a100.ProviderGpuName, Is.EqualTo("A100_SXM4_80GB"));
            Assert.That(a100.MemoryGiB, Is.EqualTo(432), "432GB");
            Assert.That(a100.PricePerHour, Is.Null, "Atlas publishes no prices");
            Assert.That(a100.Currency, Is.Null);
            Assert.That(a100.Availability, Is.EqualTo(PlanAvailability.Unavailable));
            Assert.That(a100.AvailableCount, Is.Zero);

            Assert.That(cpu.Gpu, Is.EqualTo(GpuSpec.None));
            Assert.That(cpu.Availability, Is.EqualTo(PlanAvailability.Unavailable), "a type missing from /capacity has none");
            Assert.That(cpu.AvailableCount, Is.Zero);
        }
    }

    [Test]
    public async Task Plans_SendBearerEverywhere_AndTheProjectOnlyToCapacity()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        RegionalPlans(http, Sandbox);
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.ListPlansAsync(new PlanQuery());

        var regions = http.Sent(HttpMethod.Get, RegionsUrl).Single();
        var types = http.Sent(HttpMethod.Get, Sandbox + "/instance-types").Single();
        var capacity = http.Sent(HttpMethod.Get, Sandbox + "/capacity").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Requests.Select(r => r.Header("Authorization")), Is.All.EqualTo("Bearer " + Build.FluidstackToken));
            Assert.That(capacity.Header("X-PROJECT-ID"), Is.EqualTo(ProjectId.ToString()));
            Assert.That(types.Header("X-PROJECT-ID"), Is.Null);
            Assert.That(regions.Header("X-PROJECT-ID"), Is.Null);
        }
    }

    [Test]
    public async Task Plans_WithoutProject_HaveUnknownAvailability_AndNoCapacityCall()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        // No project configured, and the region lists two: none can be chosen, so capacity stays unknown.
        http.Json(HttpMethod.Get, Sandbox + "/projects", FluidstackNewerSourcesTests.TwoProjects);
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Availability), Is.All.EqualTo(PlanAvailability.Unknown));
            Assert.That(result.Plans.Select(p => p.AvailableCount), Is.All.Null);
            Assert.That(http.Sent(HttpMethod.Get, Sandbox + "/capacity"), Is.Empty);
        }
    }

    [Test]
    public async Task Plans_OnlyTheConfiguredRegions()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        RegionalPlans(http, Eu1);
        var options = Build.FluidstackOptions();
        options.Regions = ["EU-1"];
        using var fluidstack = Build.Fluidstack(http, options: options);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            // "EU-1" matches the listed "eu-1" (names compare without case), and only its plans come back: all three of them.
            Assert.That(result.Failures, Is.Empty);
            Assert.That(result.Plans.Select(p => p.Id), Is.EquivalentTo(new[] { "eu-1/h100-hgx-80gb.8x", "eu-1/a100-sxm4-80gb.4x", "eu-1/cpu.2x" }));
            Assert.That(http.Sent(HttpMethod.Get, Eu1 + "/instance-types"), Has.Count.EqualTo(1), "the configured region was asked");
            Assert.That(http.Requests.Where(r => r.Uri.Host == "sandbox.atlas.fluidstack.io"), Is.Empty);
        }
    }

    [Test]
    public async Task Plans_ForAnotherWorkload_AskNothing()
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Is.Empty);
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task Regions_AreCached_ForTheConfiguredDuration()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        RegionalPlans(http, Sandbox);
        var time = new FakeTimeProvider();
        using var fluidstack = Build.Fluidstack(http, time);

        await fluidstack.ListPlansAsync(new PlanQuery());
        time.Advance(TimeSpan.FromMinutes(9));
        await fluidstack.ListPlansAsync(new PlanQuery());
        Assert.That(http.Sent(HttpMethod.Get, RegionsUrl), Has.Count.EqualTo(1), "still cached after 9 of 10 minutes");

        time.Advance(TimeSpan.FromMinutes(2));
        await fluidstack.ListPlansAsync(new PlanQuery());
        Assert.That(http.Sent(HttpMethod.Get, RegionsUrl), Has.Count.EqualTo(2), "refreshed after 11 minutes");
    }

    [Test]
    public async Task OneRegionFailing_KeepsTheOthers_AndNamesTheRegion()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        RegionalPlans(http, Sandbox);
        http.Raw(HttpMethod.Get, Eu1 + "/instance-types", HttpStatusCode.InternalServerError, Error("database unavailable"));
        http.Json(HttpMethod.Get, Eu1 + "/capacity", Capacity);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Region), Is.All.EqualTo("sandbox"));
            Assert.That(result.Plans, Has.Count.EqualTo(3));
            Assert.That(result.Failures, Has.Count.EqualTo(1));
            Assert.That(result.Failures[0].Provider, Is.EqualTo("fluidstack"));
            Assert.That(result.Failures[0].Region, Is.EqualTo("eu-1"));
            Assert.That(result.Failures[0].Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(result.Failures[0].Error.ProviderMessage, Is.EqualTo("database unavailable"));
        }
    }

    [Test]
    public async Task RegionWithPlainHttpUrl_IsRefused_AndTheTokenNeverGoesThere()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, """
            [{"name": "sandbox", "url": "https://sandbox.atlas.fluidstack.io"}, {"name": "evil", "url": "http://evil.example.com"}]
            """);
        RegionalPlans(http, Sandbox);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(3));
            Assert.That(result.Failures.Single().Region, Is.EqualTo("evil"));
            Assert.That(result.Failures.Single().Error.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
            Assert.That(result.Failures.Single().Error.Message, Does.Contain("region evil url"));
            Assert.That(http.Requests.Where(r => r.Uri.Host == "evil.example.com"), Is.Empty);
        }
    }

    [Test]
    public void RegionListFailing_FailsTheSearch()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, RegionsUrl, HttpStatusCode.Unauthorized, Error("token expired"));
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.ListPlansAsync(new PlanQuery()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(ex.ProviderMessage, Is.EqualTo("token expired"));
        }
    }
}
