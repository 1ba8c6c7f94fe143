using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

public partial class FluenceProviderTests
{
    [Test]
    public async Task ContainerPlans_AreMapped()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerPlansUrl, ContainerPlans);
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });

        Assert.That(result.Failures, Is.Empty);
        Assert.That(result.Plans, Has.Count.EqualTo(2));
        var h200 = result.Plans[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(h200.Provider, Is.EqualTo("fluence"));
            Assert.That(h200.Id, Is.EqualTo("container:" + H200PlanId));
            Assert.That(h200.Name, Is.EqualTo("h200-141gi-sxm-1gpu-16cpu-128gi-120gi"));
            Assert.That(h200.ProviderPlanName, Is.EqualTo("h200-141gi-sxm-1gpu-16cpu-128gi-120gi"));
            Assert.That(h200.Workload, Is.EqualTo(WorkloadType.Container));
            Assert.That(h200.Gpu, Is.EqualTo(new GpuSpec("nvidia", "H200", 141, GpuInterconnect.SXM, 1) { IsKnownModel = true }));
            Assert.That(h200.ProviderGpuName, Is.EqualTo("h200"));
            Assert.That(h200.VCpus, Is.EqualTo(16));
            Assert.That(h200.MemoryGiB, Is.EqualTo(128));
            Assert.That(h200.StorageGiB, Is.EqualTo(120));
            Assert.That(h200.PricePerHour, Is.EqualTo(2.96m));
            Assert.That(h200.Currency, Is.EqualTo("USDC"));
            Assert.That(h200.Locations, Is.EqualTo(new[] { "US" }));
            Assert.That(h200.Region, Is.Null);
            Assert.That(h200.Availability, Is.EqualTo(PlanAvailability.Unknown), "container plans say nothing about capacity");
            Assert.That(h200.OsImages, Is.Empty);
            Assert.That(result.Plans[1].Id, Is.EqualTo("container:" + A100PlanId));
            Assert.That(result.Plans[1].Gpu, Is.EqualTo(new GpuSpec("nvidia", "A100", 80, GpuInterconnect.SXM, 1) { IsKnownModel = true }));
            Assert.That(result.Plans[1].PricePerHour, Is.EqualTo(1.22m));
        }
        Assert.That(http.Requests.Select(r => r.Uri.ToString()), Is.EqualTo(new[] { ContainerPlansUrl }), "a Container query skips the VM and bare-metal endpoints");
    }

    [Test]
    public async Task VmPlans_OnePlanPerOption()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmPlansUrl, VmPlans);
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.VirtualMachine });

        Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "vm:" + A10OptionSanJose, "vm:" + A10OptionDulles, "vm:" + A100PcieOption }));
        var a10 = result.Plans[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a10.Name, Is.EqualTo("1x A10 sesterce sanjose-usa-2"));
            Assert.That(a10.Workload, Is.EqualTo(WorkloadType.VirtualMachine));
            Assert.That(a10.Gpu, Is.EqualTo(new GpuSpec("nvidia", "A10", 24, GpuInterconnect.PCIe, 1) { IsKnownModel = true }));
            Assert.That(a10.VCpus, Is.EqualTo(30));
            Assert.That(a10.MemoryGiB, Is.EqualTo(186));
            Assert.That(a10.StorageGiB, Is.EqualTo(1303));
            Assert.That(a10.PricePerHour, Is.EqualTo(0.99m));
            Assert.That(a10.Currency, Is.EqualTo("USDC"));
            Assert.That(a10.Locations, Is.EqualTo(new[] { "sanjose-usa-2" }));
            Assert.That(a10.OsImages, Is.EqualTo(new[] { "ubuntu22.04_cuda12.4_shade_os" }));
            Assert.That(a10.Host, Is.EqualTo("sesterce"));
            Assert.That(a10.Availability, Is.EqualTo(PlanAvailability.Available));
            Assert.That(a10.ProviderGpuName, Is.EqualTo("a10"));
            Assert.That(result.Plans[1].Locations, Is.EqualTo(new[] { "dulles-usa-1" }));
            Assert.That(result.Plans[2].Gpu.Model, Is.EqualTo("A100"));
            Assert.That(result.Plans[2].OsImages, Is.EqualTo(new[] { "Ubuntu Server 22.04" }));
            Assert.That(result.Plans[2].Host, Is.EqualTo("massed-compute"));
            // Names are shared between options of one group with the same host and location, never across them.
            Assert.That(result.Plans.Select(p => p.Name), Is.EqualTo(result.Plans.Select(p => $"{p.Gpu.Count}x {p.Gpu.Model} {p.Host} {p.Locations[0]}")));
            Assert.That(result.Plans[1].Name, Is.Not.EqualTo(a10.Name), "same GPU and host, another location");
        }
    }

    [Test]
    public async Task BareMetalPlans_AreMapped_WithUnitsAndNvlink()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, BareMetalPlansUrl, BareMetalPlans);
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.BareMetal });

        var plan = result.Plans.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Id, Is.EqualTo("baremetal:" + H100BareMetalOption));
            Assert.That(plan.Workload, Is.EqualTo(WorkloadType.BareMetal));
            Assert.That(plan.Gpu, Is.EqualTo(new GpuSpec("nvidia", "H100", 80, GpuInterconnect.SXM, 8) { IsKnownModel = true }), "SXM stays SXM with nvlink");
            Assert.That(plan.MemoryGiB, Is.EqualTo(2048), "2 Ti");
            Assert.That(plan.StorageGiB, Is.EqualTo(30000));
            Assert.That(plan.PricePerHour, Is.EqualTo(17.6m));
            Assert.That(plan.OsImages, Is.EqualTo(new[] { "Ubuntu Server 22.04", "ubuntu22.04_cuda12.4_shade_os" }));
        }
    }

    [Test]
    public async Task NvlinkPcieOption_IsNvlink()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmPlansUrl, NvlinkPcieVmPlans);
        using var fluence = Build.Fluence(http);

        var plan = (await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.VirtualMachine })).Plans.Single();

        Assert.That(plan.Gpu, Is.EqualTo(new GpuSpec("nvidia", "L40", 48, GpuInterconnect.NVLink, 2) { IsKnownModel = true }));
    }

    [Test]
    public async Task AllPlans_FromEveryEndpoint_WithTheApiKey()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerPlansUrl, ContainerPlans);
        http.Json(HttpMethod.Get, VmPlansUrl, VmPlans);
        http.Json(HttpMethod.Get, BareMetalPlansUrl, BareMetalPlans);
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(6));
            Assert.That(result.Failures, Is.Empty);
            Assert.That(http.Requests.Select(r => r.Uri.ToString()), Is.EquivalentTo(new[] { ContainerPlansUrl, VmPlansUrl, BareMetalPlansUrl }));
            Assert.That(http.Requests.Select(r => r.Header("X-API-KEY")), Is.All.EqualTo(Build.FluenceKey));
        }
    }

    [Test]
    public async Task OneEndpointFailing_KeepsTheOthers_AndReportsIt()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerPlansUrl, ContainerPlans);
        http.Raw(HttpMethod.Get, VmPlansUrl, HttpStatusCode.BadGateway, "<html>bad gateway</html>", "text/html");
        http.Json(HttpMethod.Get, BareMetalPlansUrl, EmptyMachinePlans);
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(2));
            Assert.That(result.Failures, Has.Count.EqualTo(1));
            Assert.That(result.Failures[0].Provider, Is.EqualTo("fluence"));
            Assert.That(result.Failures[0].Region, Is.Null);
            Assert.That(result.Failures[0].Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(result.Failures[0].Error.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        }
    }

    [Test]
    public async Task EveryEndpointFailing_IsOneFailure()
    {
        using var http = new RecordingHttp();
        foreach (var url in new[] { ContainerPlansUrl, VmPlansUrl, BareMetalPlansUrl })
            http.Raw(HttpMethod.Get, url, HttpStatusCode.Forbidden, """{"error": "Auth failed. No such API Key"}""");
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Is.Empty);
            Assert.That(result.Failures, Has.Count.EqualTo(1));
            Assert.That(result.Failures[0].Error.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
        }
    }

    [Test]
    public async Task TwoEndpointsFailing_AndTheThirdEmpty_ReportsBothFailures()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, ContainerPlansUrl, HttpStatusCode.BadGateway, "<html>bad gateway</html>", "text/html");
        http.Raw(HttpMethod.Get, VmPlansUrl, HttpStatusCode.ServiceUnavailable, """{"detail": "maintenance"}""");
        http.Json(HttpMethod.Get, BareMetalPlansUrl, EmptyMachinePlans);
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Is.Empty);
            Assert.That(result.Failures.Select(f => f.Error.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable }),
                "one endpoint answered: the provider is not down, and each failure is its own");
        }
    }

    [Test]
    public async Task EveryEndpointStoppedByAnOpenCircuit_IsOneFailure()
    {
        using var http = new RecordingHttp();
        foreach (var url in new[] { ContainerPlansUrl, VmPlansUrl, BareMetalPlansUrl })
            StoppedByAnOpenCircuit(http, url);
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Is.Empty);
            Assert.That(result.Failures, Has.Count.EqualTo(1));
            Assert.That(result.Failures[0].Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
        }
    }

    [Test]
    public async Task EveryEndpointFailing_SomeStoppedByAnOpenCircuit_ReportsTheRealCause()
    {
        // The circuit the failing calls opened only echoes them: the one failure reported is the first that was sent.
        using var http = new RecordingHttp();
        foreach (var url in new[] { ContainerPlansUrl, BareMetalPlansUrl })
            StoppedByAnOpenCircuit(http, url);
        http.Raw(HttpMethod.Get, VmPlansUrl, HttpStatusCode.Forbidden, """{"error": "Auth failed. No such API Key"}""");
        using var fluence = Build.Fluence(http);

        var result = await fluence.ListPlansAsync(new PlanQuery());

        Assert.That(result.Failures.Select(f => f.Error.Code), Is.EqualTo(new[] { GpuCloudErrorCode.Unauthorized }));
    }

    [Test]
    public void ListPlans_WithoutAQuery_IsAnArgumentNullException()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        Assert.ThrowsAsync<ArgumentNullException>(() => fluence.ListPlansAsync(null!));
    }

    /// <summary>Answers <paramref name="url"/> as the resilience handler does a request it did not send because the circuit is open.</summary>
    private static void StoppedByAnOpenCircuit(RecordingHttp http, string url) =>
        http.Mock.When(HttpMethod.Get, url).Respond((Func<HttpRequestMessage, HttpResponseMessage>)(_ => throw new GpuCloudException(
            GpuCloudErrorCode.ProviderUnavailable, "circuit open", "fluence", new Polly.CircuitBreaker.BrokenCircuitException("open"))));
}
