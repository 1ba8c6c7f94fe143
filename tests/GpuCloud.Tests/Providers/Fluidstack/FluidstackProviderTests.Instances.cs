using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

public partial class FluidstackProviderTests
{
    [Test]
    public async Task ListInstances_FromTheManagementApi_ForTheProject()
    {
        using var http = new RecordingHttp();
        const string other = "550e8400-e29b-41d4-a716-446655440009";
        http.Json(HttpMethod.Get, ManagementInstancesUrl,
            $"[{ManagementInstance("eu-1")}, {ManagementInstance("sandbox", "creating", null, other)}]");
        using var fluidstack = Build.Fluidstack(http);

        var instances = await fluidstack.ListInstancesAsync();

        Assert.That(instances.Select(i => i.Id), Is.EqualTo(new[] { "eu-1/" + InstanceGuid, "sandbox/" + other }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances[0].State, Is.EqualTo(InstanceState.Running));
            Assert.That(instances[0].Region, Is.EqualTo("eu-1"));
            Assert.That(instances[0].IsReady, Is.True);
            Assert.That(instances[1].State, Is.EqualTo(InstanceState.Provisioning));
            Assert.That(instances[1].IsReady, Is.False);
            var request = http.Requests.Single();
            Assert.That(request.Header("X-PROJECT-ID"), Is.EqualTo(ProjectId.ToString()));
            Assert.That(request.Header("Authorization"), Is.EqualTo("Bearer test-token"));
        }
    }

    [Test]
    public async Task ListInstances_OnlyTheConfiguredRegions()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ManagementInstancesUrl, $"[{ManagementInstance("eu-1")}, {ManagementInstance("sandbox")}]");
        var options = Build.FluidstackOptions();
        options.Regions = ["sandbox"];
        using var fluidstack = Build.Fluidstack(http, options: options);

        var instances = await fluidstack.ListInstancesAsync();

        Assert.That(instances.Select(i => i.Region), Is.EqualTo(new[] { "sandbox" }));
    }

    [Test]
    public async Task GetInstance_FromTheRegionalApi_Mapped()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid, Instance());
        using var fluidstack = Build.Fluidstack(http);

        var instance = await fluidstack.GetInstanceAsync(InstanceId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Provider, Is.EqualTo("fluidstack"));
            Assert.That(instance.Id, Is.EqualTo(InstanceId));
            Assert.That(instance.Name, Is.EqualTo("instance-1"));
            Assert.That(instance.State, Is.EqualTo(InstanceState.Running));
            Assert.That(instance.ProviderState, Is.EqualTo("running"));
            Assert.That(instance.Workload, Is.EqualTo(WorkloadType.VirtualMachine));
            Assert.That(instance.PlanName, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(instance.Gpu, Is.EqualTo(new GpuSpec("nvidia", "H100", 80, GpuInterconnect.SXM, 8) { IsKnownModel = true }));
            Assert.That(instance.Region, Is.EqualTo("sandbox"));
            Assert.That(instance.Location, Is.EqualTo("sandbox"));
            Assert.That(instance.PrivateIp, Is.EqualTo("10.0.0.2"));
            Assert.That(instance.PublicAddress, Is.Null, "Atlas reports only a private address");
            Assert.That(instance.Ssh, Is.EqualTo(new SshEndpoint("10.0.0.2", 22, "ubuntu")));
            Assert.That(instance.IsReady, Is.True);
            Assert.That(instance.PricePerHour, Is.EqualTo(23.92m));
            Assert.That(instance.Currency, Is.EqualTo("USD"));
            Assert.That(instance.Tags, Is.EqualTo(new Dictionary<string, string> { ["environment"] = "production" }));
        }
        var get = http.Sent(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(get.Header("X-PROJECT-ID"), Is.EqualTo(ProjectId.ToString()));
            Assert.That(get.Header("Authorization"), Is.EqualTo("Bearer test-token"));
        }
    }

    [Test]
    public async Task RunningWithoutIp_IsNotReady()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid, Instance("running", ip: null));
        using var fluidstack = Build.Fluidstack(http);

        var instance = await fluidstack.GetInstanceAsync(InstanceId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.State, Is.EqualTo(InstanceState.Running));
            Assert.That(instance.Ssh, Is.Null);
            Assert.That(instance.IsReady, Is.False);
        }
    }

    [TestCase("creating", InstanceState.Provisioning, null)]
    [TestCase("starting", InstanceState.Provisioning, null)]
    [TestCase("running", InstanceState.Running, null)]
    [TestCase("RUNNING", InstanceState.Running, null)]
    [TestCase("stopping", InstanceState.Stopping, null)]
    [TestCase("stopped", InstanceState.Stopped, null)]
    [TestCase("deleting", InstanceState.Terminating, null)]
    [TestCase("out-of-stock", InstanceState.Failed, GpuCloudErrorCode.CapacityUnavailable)]
    [TestCase("error", InstanceState.Failed, null)]
    [TestCase("hibernating", InstanceState.Unknown, null)]
    public async Task States(string state, InstanceState expected, GpuCloudErrorCode? failure)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid, Instance(state));
        using var fluidstack = Build.Fluidstack(http);

        var instance = await fluidstack.GetInstanceAsync(InstanceId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.State, Is.EqualTo(expected));
            Assert.That(instance.ProviderState, Is.EqualTo(state), "kept as the provider wrote it");
            Assert.That(instance.FailureReason, Is.EqualTo(failure));
            Assert.That(instance.IsReady, Is.EqualTo(expected == InstanceState.Running), "an address alone is not enough: the instance must run");
        }
    }

    [Test]
    public void GetInstance_InAnUnknownRegion_IsNotFound()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.GetInstanceAsync("mars-1/" + InstanceGuid));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.NotFound));
            Assert.That(ex.Message, Does.Contain("no region named 'mars-1' (known: sandbox, eu-1)."));
        }
    }
}
