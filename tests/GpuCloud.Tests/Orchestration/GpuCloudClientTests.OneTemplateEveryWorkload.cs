namespace GpuCloud.Tests;

public partial class GpuCloudClientTests
{
    private static CreateInstanceRequest MixedTemplate() => Template() with
    {
        OsImage = "Ubuntu Server 22.04",
        Location = "US",
        Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
    };

    [Test]
    public void ForPlan_ContainerPlan_KeepsContainerAndCountry_DropsTheOsImage()
    {
        var plan = Build.Plan("fluence", "container:1", 1m, workload: WorkloadType.Container, locations: ["US"]);

        var request = CheapestCreate.ForPlan(MixedTemplate(), plan);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Plan, Is.SameAs(plan));
            Assert.That(request.Provider, Is.Null);
            Assert.That(request.PlanId, Is.Null);
            Assert.That(request.Container, Is.Not.Null);
            Assert.That(request.OsImage, Is.Null);
            Assert.That(request.Location, Is.EqualTo("US"));
        }
    }

    [Test]
    public void ForPlan_VmPlan_DropsContainer_PicksAnOfferedImage_AndThePlansDataCenter()
    {
        var plan = Build.Plan("fluence", "vm:1", 1m, locations: ["dulles-usa-1"]) with { OsImages = ["ubuntu22.04_cuda12.4_shade_os", "Ubuntu Server 22.04"] };
        var notOffered = Build.Plan("fluence", "vm:2", 1m, locations: ["sanjose-usa-2"]) with { OsImages = ["ubuntu22.04_cuda12.4_shade_os"] };

        var request = CheapestCreate.ForPlan(MixedTemplate(), plan);
        var fallback = CheapestCreate.ForPlan(MixedTemplate(), notOffered);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Container, Is.Null);
            Assert.That(request.OsImage, Is.EqualTo("Ubuntu Server 22.04"), "the template's image, as the plan offers it");
            Assert.That(request.Location, Is.EqualTo("dulles-usa-1"), "'US' matches the plan's data center, which is what Fluence checks");
            Assert.That(fallback.OsImage, Is.EqualTo("ubuntu22.04_cuda12.4_shade_os"), "the plan's first image when the template's is not offered");
        }
    }

    [Test]
    public void ForPlan_LocationThePlanDoesNotRunIn_IsDropped()
    {
        var plan = Build.Plan("fluence", "vm:1", 1m, locations: ["kristiansand-norway-2"]) with { OsImages = ["Ubuntu Server 22.04"] };

        Assert.That(CheapestCreate.ForPlan(MixedTemplate(), plan).Location, Is.Null);
    }

    [Test]
    public void ForPlan_RegionalPlan_GetsItsRegion()
    {
        var plan = Build.Plan("fluidstack", "sandbox/h100", 1m) with { Region = "sandbox", Locations = ["sandbox"] };

        var request = CheapestCreate.ForPlan(MixedTemplate() with { Location = "SANDBOX", OsImage = "image://ubuntu22.04" }, plan);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Location, Is.EqualTo("sandbox"));
            Assert.That(request.OsImage, Is.EqualTo("image://ubuntu22.04"), "a plan that lists no images takes the template's");
            Assert.That(request.Container, Is.Null);
        }
    }

    [Test]
    public async Task ForPlan_FluidstackPlan_ReplacesAnotherProvidersImageWithTheDefault()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.SandboxOnly);
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/instance-types", FluidstackJson.InstanceTypes);
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/capacity", FluidstackJson.Capacity);
        using var fluidstack = Build.Fluidstack(http);
        var plan = (await fluidstack.ListPlansAsync(new PlanQuery())).Plans.First(p => p.Gpu.Count > 0);

        var request = CheapestCreate.ForPlan(MixedTemplate() with { OsImage = "Ubuntu Server 22.04" }, plan);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.OsImages, Is.EqualTo(new[] { "image://ubuntu22.04" }));
            Assert.That(request.OsImage, Is.EqualTo("image://ubuntu22.04"), "a Fluence image name must not reach Atlas");
            Assert.That(request.Container, Is.Null);
        }
    }
}
