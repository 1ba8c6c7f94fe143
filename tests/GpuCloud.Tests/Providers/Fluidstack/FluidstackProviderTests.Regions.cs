using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

/// <summary>
/// Regions and their projects: a region's failure or missing project stays that region's, and what the region list
/// said (URLs, discovered projects) is asked again once the cache expires.
/// </summary>
public partial class FluidstackProviderTests
{
    private static readonly Guid OnlyProject = Guid.Parse("11111111-2222-4333-8444-555555555555");

    private static string Projects(params (Guid Id, string Name)[] projects) =>
        "[" + string.Join(",", projects.Select(p => $$"""{"id": "{{p.Id}}", "name": "{{p.Name}}", "state": "active"}""")) + "]";

    [Test]
    public async Task ARegionWhoseAnswerBreaksUnexpectedly_FailsAlone_NamingTheRegion()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        RegionalPlans(http, Sandbox);
        http.Mock.When(HttpMethod.Get, Eu1 + "/instance-types").Respond((Func<HttpRequestMessage, HttpResponseMessage>)(_ => throw new FormatException("a value no one expected")));
        http.Json(HttpMethod.Get, Eu1 + "/capacity", Capacity);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Region), Is.All.EqualTo("sandbox"));
            Assert.That(result.Plans, Has.Count.EqualTo(3));
            var failure = result.Failures.Single();
            Assert.That(failure.Region, Is.EqualTo("eu-1"));
            Assert.That(failure.Error.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
            Assert.That(failure.Error.Message, Does.Contain("region eu-1: a value no one expected"));
        }
    }

    [Test]
    public async Task ARegionWithoutAConfiguredProject_WhoseProjectsCallFails_KeepsItsTypes_CapacityUnknown()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Raw(HttpMethod.Get, Sandbox + "/projects", HttpStatusCode.ServiceUnavailable, Error("overloaded"));
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failures, Is.Empty, "capacity is optional: without a project there is none to ask for");
            Assert.That(result.Plans.Select(p => p.Id), Is.EquivalentTo(new[] { "sandbox/h100-hgx-80gb.8x", "sandbox/a100-sxm4-80gb.4x", "sandbox/cpu.2x" }));
            Assert.That(result.Plans.Select(p => p.Availability), Is.All.EqualTo(PlanAvailability.Unknown));
        }
    }

    [Test]
    public async Task CapacityRowsForOneType_NamedInDifferentCase_AddUp()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        RegionalPlans(http, Sandbox, capacity: """[{"name": "h100-hgx-80gb.8x", "capacity": 2}, {"name": "H100-HGX-80GB.8x", "capacity": 3}]""");
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        Assert.That(result.Plans.Single(p => p.Id == "sandbox/h100-hgx-80gb.8x").AvailableCount, Is.EqualTo(5));
    }

    [Test]
    public async Task ARefusedCapacityCall_IsReportedWithTheRegionAndTheReason()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", Error("project not found in this region"), HttpStatusCode.Forbidden);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        Assert.That(result.Failures.Single().Error.Message, Does.Contain("region sandbox: capacity unknown: ").And.Contain("project not found in this region"));
    }

    [Test]
    public async Task ListInstances_WithAProjectForAllRegionsAndOnePerRegion_ListsEachRegionUnderItsOwn()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Mock.When(HttpMethod.Get, ManagementInstancesUrl).WithHeaders("X-PROJECT-ID", OnlyProject.ToString())
            .Respond("application/json", "[" + ManagementInstance("sandbox") + "]");
        var options = Build.FluidstackOptions();
        options.ProjectIds = new Dictionary<string, Guid> { ["sandbox"] = OnlyProject };
        using var fluidstack = Build.Fluidstack(http, options: options);

        var instances = await fluidstack.ListInstancesAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances.Select(i => i.Id), Is.EqualTo(new[] { "sandbox/" + InstanceGuid }));
            Assert.That(http.Sent(HttpMethod.Get, ManagementInstancesUrl).Select(r => r.Header("X-PROJECT-ID")), Is.EqualTo(new[] { OnlyProject.ToString() }),
                "the region's own project, not the one for all regions");
        }
    }

    [Test]
    public void ListInstances_WhenNoRegionHasAProject_IsTheFirstRegionsReason()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/projects", "[]");
        http.Json(HttpMethod.Get, Eu1 + "/projects", Projects((OnlyProject, "one"), (Guid.Parse("66666666-7777-4888-9999-aaaaaaaaaaaa"), "two")));
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.ListInstancesAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("Fluidstack.ProjectIds"));
            Assert.That(ex.Message, Does.Contain("region sandbox has no project"));
            Assert.That(http.Sent(HttpMethod.Get, ManagementInstancesUrl), Is.Empty);
        }
    }

    [Test]
    public void ListInstances_WithNoRegionAtAll_AsksForAProject()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, "[]");
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.ListInstancesAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("Fluidstack.ProjectId"));
            Assert.That(ex.Message, Does.Contain("instances need a project: set FluidstackOptions.ProjectId or ProjectIds (FLUIDSTACK_PROJECT_ID)."));
        }
    }

    [Test]
    public void SeveralProjectsInARegion_TheRefusalListsThemAndNamesTheOption()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/projects", Projects((OnlyProject, "one"), (Guid.Parse("66666666-7777-4888-9999-aaaaaaaaaaaa"), "two")));
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.GetInstanceAsync("sandbox/" + InstanceGuid));

        Assert.That(ex.Message, Does.Contain(
            $"region sandbox has 2 projects (one {OnlyProject}, two 66666666-7777-4888-9999-aaaaaaaaaaaa): set FluidstackOptions.ProjectIds[\"sandbox\"] (FLUIDSTACK_PROJECT_ID=sandbox=<uuid>)."));
    }

    [Test]
    public async Task AProjectWithAnEmptyId_IsNotARegionsProject()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/projects", Projects((Guid.Empty, "broken"), (OnlyProject, "real")));
        http.Json(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid, Instance());
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        await fluidstack.GetInstanceAsync("sandbox/" + InstanceGuid);

        Assert.That(http.Sent(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid).Single().Header("X-PROJECT-ID"), Is.EqualTo(OnlyProject.ToString()));
    }

    [Test]
    public async Task ARegionThatMoves_IsCalledAtItsNewUrl_OnceTheCacheExpires()
    {
        using var http = new RecordingHttp();
        http.Sequence(HttpMethod.Get, RegionsUrl, (HttpStatusCode.OK, SandboxOnly),
            (HttpStatusCode.OK, """[{"name": "sandbox", "url": "https://sandbox-2.atlas.fluidstack.io"}]"""));
        http.Json(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid, Instance());
        http.Json(HttpMethod.Get, "https://sandbox-2.atlas.fluidstack.io/api/v1alpha1/instances/" + InstanceGuid, Instance());
        var time = new FakeTimeProvider();
        using var fluidstack = Build.Fluidstack(http, time);

        await fluidstack.GetInstanceAsync("sandbox/" + InstanceGuid);
        time.Advance(TimeSpan.FromMinutes(11));
        // A plan search reads the region list again (the instance calls take the cached client while it lasts).
        http.Json(HttpMethod.Get, "https://sandbox-2.atlas.fluidstack.io/api/v1alpha1/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, "https://sandbox-2.atlas.fluidstack.io/api/v1alpha1/capacity", Capacity);
        await fluidstack.ListPlansAsync(new PlanQuery());
        await fluidstack.GetInstanceAsync("sandbox/" + InstanceGuid);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Sent(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid), Has.Count.EqualTo(1));
            Assert.That(http.Sent(HttpMethod.Get, "https://sandbox-2.atlas.fluidstack.io/api/v1alpha1/instances/" + InstanceGuid), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task ARegionsDiscoveredProject_IsAskedAgain_OnceTheCacheExpires()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/projects", Projects((OnlyProject, "only")));
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", Capacity);
        var time = new FakeTimeProvider();
        using var fluidstack = Build.Fluidstack(http, time, Build.FluidstackOptions(withProject: false));

        await fluidstack.ListPlansAsync(new PlanQuery());
        await fluidstack.ListPlansAsync(new PlanQuery());
        time.Advance(TimeSpan.FromMinutes(11));
        await fluidstack.ListPlansAsync(new PlanQuery());

        Assert.That(http.Sent(HttpMethod.Get, Sandbox + "/projects"), Has.Count.EqualTo(2), "once per region listing");
    }
}
