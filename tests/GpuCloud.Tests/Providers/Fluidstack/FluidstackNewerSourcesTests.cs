using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

/// <summary>
/// Fluidstack behaviours from the newest public sources (fluidstackio/atlas-client-go, `examples/instance-lifecycle/README.md` and
/// `v1alpha1/client.gen.go`; specs/README.md lists them):
/// regional projects, refused capacity, GPU counts and memory units, region URLs, userData, X-ORG-ID, any 2xx on create.
/// </summary>
public class FluidstackNewerSourcesTests
{
    private static readonly Guid SandboxProject = Guid.Parse("11111111-2222-4333-8444-555555555555");
    private static readonly Guid Eu1Project = Guid.Parse("66666666-7777-4888-9999-aaaaaaaaaaaa");

    public const string TwoProjects = """
        [{"id": "11111111-2222-4333-8444-555555555555", "name": "one", "state": "active"},
         {"id": "66666666-7777-4888-9999-aaaaaaaaaaaa", "name": "two", "state": "active"}]
        """;

    private static string OneProject(Guid id) => $$"""[{"id": "{{id}}", "name": "only", "state": "active"}]""";

    private static CreateInstanceRequest Create(string region) => new()
    {
        Provider = "fluidstack", PlanId = region + "/h100-hgx-80gb.8x", Name = "instance-1", SshPublicKeys = [TestKeys.Ed25519],
    };

    // ------------------------------------------------------------------ projects are regional
    // Source: the official Go client's example (fluidstack/atlas-client-go, examples/instance-lifecycle/README.md) asks for
    // "the UUID of an existing Atlas project in this region", and /projects is a regional endpoint of the Infrastructure API.

    [Test]
    public async Task ProjectIdsByRegion_EachRegionUsesItsOwnProject()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", Capacity);
        http.Json(HttpMethod.Get, Eu1 + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Eu1 + "/capacity", Capacity);
        http.Json(HttpMethod.Post, Eu1 + "/instances", Instance("creating", ip: null), HttpStatusCode.Created);
        var options = Build.FluidstackOptions(withProject: false);
        options.ProjectIds = new Dictionary<string, Guid> { ["sandbox"] = SandboxProject, ["EU-1"] = Eu1Project };
        using var fluidstack = Build.Fluidstack(http, options: options);

        await fluidstack.ListPlansAsync(new PlanQuery());
        await fluidstack.CreateInstanceAsync(Create("eu-1"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Sent(HttpMethod.Get, Sandbox + "/capacity").Single().Header("X-PROJECT-ID"), Is.EqualTo(SandboxProject.ToString()));
            Assert.That(http.Sent(HttpMethod.Get, Eu1 + "/capacity").Single().Header("X-PROJECT-ID"), Is.EqualTo(Eu1Project.ToString()));
            Assert.That(http.Sent(HttpMethod.Post, Eu1 + "/instances").Single().Header("X-PROJECT-ID"), Is.EqualTo(Eu1Project.ToString()));
        }
    }

    [Test]
    public async Task NoProjectConfigured_TheRegionsOnlyProjectIsUsed()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/projects", OneProject(SandboxProject));
        http.Json(HttpMethod.Post, Sandbox + "/instances", Instance("creating", ip: null), HttpStatusCode.Created);
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var created = await fluidstack.CreateInstanceAsync(Create("sandbox"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Id, Is.EqualTo("sandbox/" + InstanceGuid));
            Assert.That(http.Sent(HttpMethod.Post, Sandbox + "/instances").Single().Header("X-PROJECT-ID"), Is.EqualTo(SandboxProject.ToString()));
        }
    }

    [TestCase("[]", "no project")]
    [TestCase(TwoProjects, "2 projects")]
    public void NoProjectConfigured_AndNotExactlyOneInTheRegion_SaysWhichRegion_WithoutCreating(string projects, string says)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Eu1 + "/projects", projects);
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.CreateInstanceAsync(Create("eu-1")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("Fluidstack.ProjectIds"));
            Assert.That(ex.Message, Does.Contain("eu-1").And.Contain(says));
            Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Post), Is.Empty, "nothing is created");
        }
    }

    [Test]
    public async Task TheRegionsAnswerAboutProjects_IsAskedOncePerRegionListing()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/projects", TwoProjects);
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        await fluidstack.ListPlansAsync(new PlanQuery());
        await fluidstack.ListPlansAsync(new PlanQuery());
        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.CreateInstanceAsync(Create("sandbox")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Sent(HttpMethod.Get, Sandbox + "/projects"), Has.Count.EqualTo(1));
            Assert.That(ex!.Field, Is.EqualTo("Fluidstack.ProjectIds"));
        }
    }

    [Test]
    public async Task ListInstances_PerRegionProject_KeepsOnlyThatRegionsInstances()
    {
        using var http = new RecordingHttp();
        const string other = "660e8400-e29b-41d4-a716-446655440000";
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/projects", OneProject(SandboxProject));
        http.Json(HttpMethod.Get, Eu1 + "/projects", OneProject(Eu1Project));
        // The sandbox project's list also names an instance in eu-1 (whose project is another one): not returned as ours.
        http.Mock.When(HttpMethod.Get, ManagementInstancesUrl).WithHeaders("X-PROJECT-ID", SandboxProject.ToString())
            .Respond("application/json", "[" + ManagementInstance("sandbox") + "," + ManagementInstance("eu-1", id: other) + "]");
        http.Mock.When(HttpMethod.Get, ManagementInstancesUrl).WithHeaders("X-PROJECT-ID", Eu1Project.ToString())
            .Respond("application/json", "[]");
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var instances = await fluidstack.ListInstancesAsync();

        Assert.That(instances.Select(i => i.Id), Is.EqualTo(new[] { "sandbox/" + InstanceGuid }));
    }

    // ------------------------------------------------------------------ refused capacity
    // Source: newer-sources (Fluidstack): a region whose capacity call is refused (403/404: the project is not there)
    // still has instance types worth listing, with availability unknown.

    [TestCase(HttpStatusCode.Forbidden, GpuCloudErrorCode.Forbidden)]
    [TestCase(HttpStatusCode.NotFound, GpuCloudErrorCode.NotFound)]
    public async Task ARefusedCapacityCall_KeepsTheRegionsTypes_WithAvailabilityUnknown_AndReportsIt(HttpStatusCode status, GpuCloudErrorCode code)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", Capacity);
        http.Json(HttpMethod.Get, Eu1 + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Eu1 + "/capacity", Error("project not found in this region"), status);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        var eu1 = result.Plans.Where(p => p.Region == "eu-1").ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(eu1.Select(p => p.Id), Is.EquivalentTo(new[] { "eu-1/h100-hgx-80gb.8x", "eu-1/a100-sxm4-80gb.4x", "eu-1/cpu.2x" }));
            Assert.That(eu1.Select(p => p.Availability), Is.All.EqualTo(PlanAvailability.Unknown));
            Assert.That(result.Plans.Single(p => p.Id == "sandbox/h100-hgx-80gb.8x").Availability, Is.EqualTo(PlanAvailability.Available));
            var failure = result.Failures.Single();
            Assert.That(failure.Region, Is.EqualTo("eu-1"));
            Assert.That(failure.Error.Code, Is.EqualTo(code));
        }
    }

    // ------------------------------------------------------------------ GPU count, memory units, region URLs

    [Test]
    public async Task AGpuModelWithoutGpuCount_TakesTheCountFromTheNamesSuffix()
    {
        // Source: the official Go client sends gpu_model/gpu_count with omitempty (either may be missing); type names
        // encode the count (h100-hgx-80gb.8x; live docs: h100.8x).
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", """
            [{"name": "h100-hgx-80gb.8x", "cpu": 96, "memory": "960Gi", "gpu_model": "H100_SXM5_80GB"},
             {"name": "h100.2x", "cpu": 24, "memory": "240Gi", "gpuModel": "H100"}]
            """);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", "[]");
        using var fluidstack = Build.Fluidstack(http);

        var plans = (await fluidstack.ListPlansAsync(new PlanQuery())).Plans;

        Assert.That(plans.ToDictionary(p => p.Name, p => p.Gpu.Count), Is.EqualTo(new Dictionary<string, int> { ["h100-hgx-80gb.8x"] = 8, ["h100.2x"] = 2 }));
    }

    [Test]
    public async Task MemoryStrings_InEveryUnitSeen_AreGiB()
    {
        // Source: newer-sources (Fluidstack): memory strings seen are 960Gi, 432GB, 1.5Ti, 983040Mi.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", """
            [{"name": "a.1x", "memory": "960Gi"}, {"name": "b.1x", "memory": "432GB"}, {"name": "c.1x", "memory": "1.5Ti"}, {"name": "d.1x", "memory": "983040Mi"}]
            """);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", "[]");
        using var fluidstack = Build.Fluidstack(http);

        var plans = (await fluidstack.ListPlansAsync(new PlanQuery())).Plans;

        Assert.That(plans.ToDictionary(p => p.Name, p => p.MemoryGiB), Is.EqualTo(new Dictionary<string, double?> { ["a.1x"] = 960, ["b.1x"] = 432, ["c.1x"] = 1536, ["d.1x"] = 960 }));
    }

    [Test]
    public async Task ARegionUrlEndingInASlash_IsNormalized()
    {
        // Source: newer-sources (Fluidstack): region url values may end with /; normalize before appending /api/v1alpha1.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, """[{"name": "sandbox", "url": "https://sandbox.atlas.fluidstack.io/"}]""");
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", Capacity);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failures, Is.Empty);
            Assert.That(http.Requests.Select(r => r.Uri.AbsolutePath), Does.Not.Contain("//api/v1alpha1/instance-types").And.Contain("/api/v1alpha1/instance-types"));
        }
    }

    // ------------------------------------------------------------------ userData, X-ORG-ID, create status

    [TestCase("null")]
    [TestCase("\"I2Nsb3VkLWNvbmZpZwo=\\n\"")]
    [TestCase("\"#cloud-config\\npackages: [nginx]\\n\"")]
    public async Task GetInstance_NeverFailsOnUserData(string userData)
    {
        // Source: newer-sources (Fluidstack): userData is format: byte in the spec, but null, base64 with a trailing
        // newline, or raw #cloud-config text all occur in examples.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        var body = Instance().Replace("\"STJOc2IzVmtMV052Ym1acFp3cHdZV05yWVdkbGN6b0tJQ0F0SUc1bmFXNTQK\"", userData, StringComparison.Ordinal);
        Assert.That(body, Does.Contain(userData));
        http.Json(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid, body);
        using var fluidstack = Build.Fluidstack(http);

        var instance = await fluidstack.GetInstanceAsync("sandbox/" + InstanceGuid);

        Assert.That(instance.State, Is.EqualTo(InstanceState.Running));
    }

    [Test]
    public async Task OrganizationId_IsSentAsXOrgId_OnEveryCall()
    {
        // Source: the official Go client (fluidstack/atlas-client-go) and the Admin API docs send an optional X-ORG-ID.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        http.Json(HttpMethod.Get, Sandbox + "/capacity", Capacity);
        http.Json(HttpMethod.Get, UserKeysUrl, "[]");
        var options = Build.FluidstackOptions();
        options.OrganizationId = "org-123";
        using var fluidstack = Build.Fluidstack(http, options: options);

        await fluidstack.ListPlansAsync(new PlanQuery());
        await fluidstack.ListSshKeysAsync();

        Assert.That(http.Requests.Select(r => r.Header("X-ORG-ID")).ToArray(), Has.Length.EqualTo(4).And.All.EqualTo("org-123"));
    }

    [Test]
    public async Task WithoutOrganizationId_NoXOrgIdIsSent()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, "[]");
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.ListSshKeysAsync();

        Assert.That(http.Requests.Single().Header("X-ORG-ID"), Is.Null);
    }

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.Accepted)]
    public async Task Create_AnsweredWithAnother2xx_IsTheInstance(HttpStatusCode status)
    {
        // Source: newer-sources (Fluidstack): create is declared 201; the official example checks 201, servers vary.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Post, Sandbox + "/instances", Instance("creating", ip: null), status);
        using var fluidstack = Build.Fluidstack(http);

        var created = await fluidstack.CreateInstanceAsync(Create("sandbox"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Id, Is.EqualTo("sandbox/" + InstanceGuid));
            Assert.That(created.State, Is.EqualTo(InstanceState.Provisioning));
        }
    }

    // ------------------------------------------------------------------ environment

    [Test]
    public void Environment_ProjectPerRegion_AndOrganization()
    {
        var options = GpuCloudOptions.FromEnvironment(name => name switch
        {
            "FLUIDSTACK_TOKEN" => "t",
            "FLUIDSTACK_PROJECT_ID" => $"sandbox={SandboxProject}, eu-1={Eu1Project}",
            "FLUIDSTACK_ORG_ID" => "org-123",
            _ => null,
        });
        var single = GpuCloudOptions.FromEnvironment(name => name == "FLUIDSTACK_PROJECT_ID" ? SandboxProject.ToString() : null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Fluidstack.ProjectIds, Is.EquivalentTo(new Dictionary<string, Guid> { ["sandbox"] = SandboxProject, ["eu-1"] = Eu1Project }));
            Assert.That(options.Fluidstack.ProjectId, Is.Null);
            Assert.That(options.Fluidstack.OrganizationId, Is.EqualTo("org-123"));
            Assert.That(single.Fluidstack.ProjectId, Is.EqualTo(SandboxProject), "one id for all regions keeps working");
        }
    }
}
