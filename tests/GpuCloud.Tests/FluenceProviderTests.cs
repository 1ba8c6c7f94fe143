using System.Net;
using GpuCloud;
using GpuCloud.Providers;
using GpuCloud.Tests.Support;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;
using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

/// <summary>FluenceProvider over MockHttp: plans, instances, states, SSH keys and the requests it sends.</summary>
public class FluenceProviderTests
{
    private static GpuPlan ContainerPlan() => new()
    {
        Provider = "fluence",
        Id = "container:" + H200PlanId,
        Name = "h200-141gi-sxm-1gpu-16cpu-128gi-120gi",
        Workload = WorkloadType.Container,
        Gpu = GpuModelCatalog.Parse("h200", 1, "nvidia", "141Gi", "SXM"),
        PricePerHour = 2.96m,
        Currency = "USDC",
        Locations = ["US"],
    };

    private static GpuPlan VmPlan() => new()
    {
        Provider = "fluence",
        Id = "vm:" + A100PcieOption,
        Name = "1x A100 massed-compute us-central-3",
        Workload = WorkloadType.VirtualMachine,
        Gpu = GpuModelCatalog.Parse("a100", 1, "nvidia", "80Gi", "pcie"),
        PricePerHour = 1.07m,
        Currency = "USDC",
        Locations = ["us-central-3"],
        OsImages = ["Ubuntu Server 22.04"],
    };

    // ------------------------------------------------------------------------------------------- plans

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

    // ------------------------------------------------------------------------------------------- instances

    [Test]
    public async Task ListInstances_AllFamilies_Mapped()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl, ContainerInstances);
        http.Json(HttpMethod.Get, VmInstancesUrl, VmInstances);
        http.Json(HttpMethod.Get, BareMetalInstancesUrl, "[]");
        using var fluence = Build.Fluence(http);

        var instances = await fluence.ListInstancesAsync();

        Assert.That(instances.Select(i => i.Id), Is.EqualTo(new[]
        {
            "container:" + ActiveContainerId, "container:" + EndedContainerId, "vm:" + ActiveVmId, "vm:" + FailedVmId,
        }));
        var active = instances[0];
        var ended = instances[1];
        var vm = instances[2];
        var failed = instances[3];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(active.Provider, Is.EqualTo("fluence"));
            Assert.That(active.Name, Is.EqualTo("fuchsia-hawk-4706"));
            Assert.That(active.State, Is.EqualTo(InstanceState.Running));
            Assert.That(active.ProviderState, Is.EqualTo("ACTIVE"));
            Assert.That(active.Workload, Is.EqualTo(WorkloadType.Container));
            Assert.That(active.PublicAddress, Is.EqualTo("provider.a100.pub"));
            Assert.That(active.Location, Is.EqualTo("US"));
            Assert.That(active.Gpu, Is.EqualTo(new GpuSpec("nvidia", "A100", 80, GpuInterconnect.SXM, 1) { IsKnownModel = true }));
            Assert.That(active.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 2, 7, 14, 42, 29, TimeSpan.Zero).AddTicks(4723810)));
            Assert.That(ended.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(ended.ProviderState, Is.EqualTo("ENDED"));
            Assert.That(ended.PublicAddress, Is.Null);
            Assert.That(vm.State, Is.EqualTo(InstanceState.Running));
            Assert.That(vm.Workload, Is.EqualTo(WorkloadType.VirtualMachine));
            Assert.That(vm.PublicAddress, Is.EqualTo("216.81.248.90"));
            Assert.That(vm.Location, Is.EqualTo("us-central-3"));
            Assert.That(vm.Gpu, Is.EqualTo(new GpuSpec("nvidia", "L40", 48, GpuInterconnect.PCIe, 1) { IsKnownModel = true }));
            Assert.That(failed.State, Is.EqualTo(InstanceState.Failed));
            Assert.That(failed.ProviderState, Is.EqualTo("FAILED"));
            Assert.That(failed.Gpu!.Model, Is.EqualTo("V100"));
            Assert.That(failed.Location, Is.EqualTo("Texas"));
        }
    }

    [Test]
    public async Task ActiveContainerDetail_HasSshThroughTheForwardedPort()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail());
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("container:" + ActiveContainerId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("container:" + ActiveContainerId));
            Assert.That(instance.State, Is.EqualTo(InstanceState.Running));
            Assert.That(instance.Ssh, Is.EqualTo(new SshEndpoint("provider.a100.pub", 32345, "root")));
            Assert.That(instance.Ssh!.Command, Is.EqualTo("ssh -p 32345 root@provider.a100.pub"));
            Assert.That(instance.IsReady, Is.True);
            Assert.That(instance.PublicAddress, Is.EqualTo("provider.a100.pub"));
            Assert.That(instance.ForwardedPorts, Is.EqualTo(new[] { new ForwardedPort(22, 32345, "tcp"), new ForwardedPort(8000, 32346, "tcp") }));
            Assert.That(instance.PricePerHour, Is.EqualTo(1.22m));
            Assert.That(instance.Currency, Is.EqualTo("USDC"));
        }
        Assert.That(http.Requests.Single().Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey));
    }

    [Test]
    public async Task EndedContainerDetail_WithNullNetwork()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + EndedContainerDetailId, ContainerDetailEnded);
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("container:" + EndedContainerDetailId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(instance.ProviderState, Is.EqualTo("ENDED"));
            Assert.That(instance.Ssh, Is.Null);
            Assert.That(instance.IsReady, Is.False);
            Assert.That(instance.ForwardedPorts, Is.Empty);
            Assert.That(instance.PublicAddress, Is.Null);
            Assert.That(instance.PricePerHour, Is.EqualTo(0m));
        }
    }

    [TestCase("INITIALIZED", InstanceState.Provisioning)]
    [TestCase("INITIATED", InstanceState.Provisioning)]
    [TestCase("ACTIVE", InstanceState.Running)]
    [TestCase("active", InstanceState.Running)]
    [TestCase("FAILED", InstanceState.Failed)]
    [TestCase("ENDED", InstanceState.Terminated)]
    [TestCase("HIBERNATING", InstanceState.Unknown)]
    [TestCase("", InstanceState.Unknown)]
    public async Task ContainerStates(string status, InstanceState expected)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail(status));
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("container:" + ActiveContainerId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.State, Is.EqualTo(expected));
            Assert.That(instance.ProviderState, Is.EqualTo(status), "the provider's value is kept, even when unknown");
            Assert.That(instance.IsReady, Is.EqualTo(expected == InstanceState.Running), "only a running instance gets an SSH endpoint");
            Assert.That(instance.FailureReason, Is.Null);
        }
    }

    [TestCase("INITIALIZED", InstanceState.Provisioning)]
    [TestCase("ACTIVE", InstanceState.Running)]
    [TestCase("FAILED", InstanceState.Failed)]
    [TestCase("ENDED", InstanceState.Terminated)]
    [TestCase("HIBERNATING", InstanceState.Unknown)]
    public async Task VmStates(string status, InstanceState expected)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail(status));
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("vm:" + ActiveVmId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.State, Is.EqualTo(expected));
            Assert.That(instance.ProviderState, Is.EqualTo(status));
            Assert.That(instance.Ssh is not null, Is.EqualTo(expected == InstanceState.Running));
        }
    }

    [Test]
    public async Task ActiveVmDetail_ReadsTheSshConnection()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail());
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("vm:" + ActiveVmId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("vm:" + ActiveVmId));
            Assert.That(instance.Workload, Is.EqualTo(WorkloadType.VirtualMachine));
            Assert.That(instance.Ssh, Is.EqualTo(new SshEndpoint("216.81.248.90", 22, "ubuntu")));
            Assert.That(instance.Ssh!.Command, Is.EqualTo("ssh ubuntu@216.81.248.90"));
            Assert.That(instance.IsReady, Is.True);
            Assert.That(instance.PublicAddress, Is.EqualTo("216.81.248.90"));
            Assert.That(instance.PricePerHour, Is.EqualTo(0.76m));
            Assert.That(instance.Gpu!.Model, Is.EqualTo("L40"));
        }
    }

    [Test]
    public async Task ActiveVm_WithoutSshConnection_IsRunningButNotReady()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail(sshConnection: null));
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("vm:" + ActiveVmId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.State, Is.EqualTo(InstanceState.Running));
            Assert.That(instance.IsReady, Is.False);
        }
    }

    [Test]
    public async Task EndedVmDetail()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + FailedVmId, VmDetailEnded);
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("vm:" + FailedVmId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(instance.Ssh, Is.Null);
            Assert.That(instance.PublicAddress, Is.Null);
            Assert.That(instance.Gpu, Is.EqualTo(new GpuSpec("nvidia", "V100", 32, GpuInterconnect.SXM, 1) { IsKnownModel = true }));
        }
    }

    [Test]
    public async Task BareMetalDetail_UsesTheBareMetalPath()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, BareMetalInstancesUrl + "/" + ActiveVmId, VmDetail());
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync("baremetal:" + ActiveVmId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("baremetal:" + ActiveVmId));
            Assert.That(instance.Workload, Is.EqualTo(WorkloadType.BareMetal));
            Assert.That(instance.IsReady, Is.True);
        }
    }

    [TestCase("ssh ubuntu@216.81.248.90", "216.81.248.90", 22, "ubuntu")]
    [TestCase("ssh -p 2222 root@host.example", "host.example", 2222, "root")]
    [TestCase("ssh -p2222 root@host.example", "host.example", 2222, "root")]
    [TestCase("ssh admin@10.1.2.3 -p 2200", "10.1.2.3", 2200, "admin")]
    [TestCase("  ssh ubuntu@216.81.248.90  ", "216.81.248.90", 22, "ubuntu")]
    public void ParseSshCommand(string command, string host, int port, string user)
    {
        Assert.That(FluenceMapping.ParseSshCommand(command), Is.EqualTo(new SshEndpoint(host, port, user)));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("connect to 216.81.248.90")]
    [TestCase("ssh 216.81.248.90")]
    public void ParseSshCommand_Unreadable_IsNull(string? command)
    {
        Assert.That(FluenceMapping.ParseSshCommand(command), Is.Null);
    }

    [Test]
    public async Task UnprefixedId_IsLookedUpInEachFamily()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, ContainerInstancesUrl + ActiveVmId, HttpStatusCode.NotFound, """{"detail": "Not found"}""");
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail());
        using var fluence = Build.Fluence(http);

        var instance = await fluence.GetInstanceAsync(ActiveVmId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("vm:" + ActiveVmId));
            Assert.That(http.Requests.Select(r => r.Uri.ToString()), Is.EqualTo(new[] { ContainerInstancesUrl + ActiveVmId, VmInstancesUrl + "/" + ActiveVmId }));
        }
    }

    [Test]
    public void UnprefixedId_FoundNowhere_IsNotFound()
    {
        using var http = new RecordingHttp();
        const string id = "11111111-2222-3333-4444-555555555555";
        http.Status(HttpMethod.Get, ContainerInstancesUrl + id, HttpStatusCode.NotFound);
        http.Status(HttpMethod.Get, VmInstancesUrl + "/" + id, HttpStatusCode.NotFound);
        http.Status(HttpMethod.Get, BareMetalInstancesUrl + "/" + id, HttpStatusCode.NotFound);
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.GetInstanceAsync(id));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.NotFound));
            Assert.That(http.Requests, Has.Count.EqualTo(3));
        }
    }

    // ------------------------------------------------------------------------------------------- create

    [Test]
    public async Task CreateContainer_SendsTheDocumentedBody_AndReadsTheInstanceBack()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Post, ContainerInstancesUrl, DeployResponse);
        http.Json(HttpMethod.Get, ContainerInstancesUrl + DeployedId, ContainerDetail("INITIALIZED", DeployedId));
        using var fluence = Build.Fluence(http);

        var instance = await fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = ContainerPlan(),
            Name = "my-gpu-container",
            SshPublicKeys = [TestKeys.Ed25519],
            Location = "us",
            Container = new ContainerSettings
            {
                Image = "docker.io/fluencelabs/debian-ssh-root:11",
                Ports = [new ContainerPort(22), new ContainerPort(80, PortProtocol.Http), new ContainerPort(8000, PortProtocol.Udp)],
                Environment = new Dictionary<string, string> { ["MODEL_PATH"] = "/models/llama" },
                StartupCommand = "python3 serve.py --port 8000",
                Registry = new RegistryCredentials("ghcr.io", "me", "registry-password"),
            },
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("container:" + DeployedId));
            Assert.That(instance.State, Is.EqualTo(InstanceState.Provisioning));
        }
        var post = http.Sent(HttpMethod.Post, ContainerInstancesUrl).Single();
        var body = JObject.Parse(post.Body!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(post.Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey));
            Assert.That((string?)body["plan_id"], Is.EqualTo(H200PlanId), "the raw plan id, without the container: prefix");
            Assert.That((string?)body["name"], Is.EqualTo("my-gpu-container"));
            Assert.That((string?)body["ssh_key"], Is.EqualTo(TestKeys.Ed25519));
            Assert.That((string?)body["constraints"]?["location"], Is.EqualTo("US"));
            Assert.That((string?)body["container_settings"]?["image"], Is.EqualTo("docker.io/fluencelabs/debian-ssh-root:11"));
            Assert.That(JToken.DeepEquals(body["container_settings"]?["expose"],
                JArray.Parse("""[{"port":"22","protocol":"tcp"},{"port":"80","protocol":"http"},{"port":"8000","protocol":"udp"}]""")), Is.True,
                body["container_settings"]?["expose"]?.ToString());
            Assert.That(JToken.DeepEquals(body["container_settings"]?["environment"], JArray.Parse("""[{"name":"MODEL_PATH","value":"/models/llama"}]""")), Is.True);
            Assert.That((string?)body["container_settings"]?["startup_command"], Is.EqualTo("python3 serve.py --port 8000"));
            Assert.That(JToken.DeepEquals(body["container_settings"]?["credentials"],
                JObject.Parse("""{"host":"ghcr.io","username":"me","password":"registry-password"}""")), Is.True);
        }
    }

    [Test]
    public async Task CreateVm_SendsPlanKeyAndImage()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Post, VmInstancesUrl, DeployResponse);
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + DeployedId, VmDetail("INITIALIZED", null, DeployedId));
        using var fluence = Build.Fluence(http);

        var instance = await fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = VmPlan(), Name = "my-gpu-vm", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 22.04",
        });

        Assert.That(instance.Id, Is.EqualTo("vm:" + DeployedId));
        var body = JObject.Parse(http.Sent(HttpMethod.Post, VmInstancesUrl).Single().Body!);
        Assert.That(JToken.DeepEquals(body, JObject.Parse($$"""
            {"plan_id": "{{A100PcieOption}}", "name": "my-gpu-vm", "ssh_key": "{{TestKeys.Ed25519}}", "os_image": "Ubuntu Server 22.04"}
            """)), Is.True, body.ToString());
    }

    [Test]
    public async Task CreateBareMetal_UsesTheBareMetalEndpoint()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Post, BareMetalInstancesUrl, DeployResponse);
        http.Json(HttpMethod.Get, BareMetalInstancesUrl + "/" + DeployedId, VmDetail("INITIALIZED", null, DeployedId));
        using var fluence = Build.Fluence(http);

        var instance = await fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = VmPlan() with { Id = "baremetal:" + H100BareMetalOption, Workload = WorkloadType.BareMetal },
            Name = "metal", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 22.04",
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("baremetal:" + DeployedId));
            Assert.That((string?)JObject.Parse(http.Sent(HttpMethod.Post, BareMetalInstancesUrl).Single().Body!)["plan_id"], Is.EqualTo(H100BareMetalOption));
        }
    }

    [Test]
    public async Task CreateByPlanId_LooksThePlanUpFirst()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmPlansUrl, VmPlans);
        http.Json(HttpMethod.Post, VmInstancesUrl, DeployResponse);
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + DeployedId, VmDetail("INITIALIZED", null, DeployedId));
        using var fluence = Build.Fluence(http);

        await fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "vm:" + A100PcieOption, Name = "by-id", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 22.04",
        });

        Assert.That(http.Requests.Select(r => $"{r.Method} {r.Uri}"), Is.EqualTo(new[]
        {
            $"GET {VmPlansUrl}", $"POST {VmInstancesUrl}", $"GET {VmInstancesUrl}/{DeployedId}",
        }));
    }

    [Test]
    public void CreateByPlanId_WithAnImageThePlanLacks_IsRejectedAfterTheLookup_WithoutDeploying()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmPlansUrl, VmPlans);
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "vm:" + A100PcieOption, Name = "by-id", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 2.04",
        }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("OsImage"));
            Assert.That(http.Sent(HttpMethod.Post, VmInstancesUrl), Is.Empty);
        }
    }

    [Test]
    public void CreateByUnknownPlanId_IsNotFound_WithoutDeploying()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmPlansUrl, VmPlans);
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "vm:99999999-0000-0000-0000-000000000000", Name = "gone", SshPublicKeys = [TestKeys.Ed25519], OsImage = "x",
        }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.NotFound));
            Assert.That(http.Requests.Select(r => r.Method), Is.All.EqualTo(HttpMethod.Get));
        }
    }

    [Test]
    public async Task Create_WhenTheFirstReadFails_StillReturnsTheInstanceId()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Post, VmInstancesUrl, DeployResponse);
        http.Raw(HttpMethod.Get, VmInstancesUrl + "/" + DeployedId, HttpStatusCode.InternalServerError, """{"detail": "boom"}""");
        using var fluence = Build.Fluence(http);

        var instance = await fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = VmPlan(), Name = "my-gpu-vm", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 22.04",
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("vm:" + DeployedId));
            Assert.That(instance.Name, Is.EqualTo("my-gpu-vm"));
            Assert.That(instance.State, Is.EqualTo(InstanceState.Provisioning));
            Assert.That(instance.Gpu, Is.EqualTo(VmPlan().Gpu));
        }
    }

    [Test]
    public void Create_DeployResponseWithoutId_IsInvalidResponse()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Post, VmInstancesUrl, "{}");
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = VmPlan(), Name = "my-gpu-vm", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 22.04",
        }));
        Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
    }

    // ------------------------------------------------------------------------------------------- delete, start, stop

    [Test]
    public async Task DeleteActiveContainer_SendsDelete()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail());
        http.Status(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.NoContent);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Sent(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DeleteActiveVm_SendsDeleteToTheVmPath()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail());
        http.Status(HttpMethod.Delete, VmInstancesUrl + "/" + ActiveVmId, HttpStatusCode.NoContent);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("vm:" + ActiveVmId);

        Assert.That(http.Sent(HttpMethod.Delete, VmInstancesUrl + "/" + ActiveVmId), Has.Count.EqualTo(1));
    }

    [TestCase("ENDED")]
    [TestCase("FAILED")]
    public async Task DeleteFinishedInstance_SendsNothing(string status)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail(status));
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Delete), Is.Empty);
    }

    [Test]
    public async Task DeleteMissingInstance_CountsAsDeleted()
    {
        using var http = new RecordingHttp();
        http.Status(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.NotFound);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Delete), Is.Empty);
    }

    [Test]
    public void DeleteInitializingInstance_IsAConflict_WithoutSendingDelete()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail("INITIALIZED"));
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.DeleteInstanceAsync("container:" + ActiveContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Delete), Is.Empty);
        }
    }

    [Test]
    public async Task Delete_404OnTheDeleteItself_CountsAsDeleted()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail());
        http.Raw(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.NotFound, """{"detail": "Instance not found"}""");
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Sent(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(1));
    }

    [Test]
    public void StartAndStop_AreNotSupported_AndSendNothing()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluence.StartInstanceAsync("vm:" + ActiveVmId))!.Code, Is.EqualTo(GpuCloudErrorCode.NotSupported));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluence.StopInstanceAsync("vm:" + ActiveVmId))!.Code, Is.EqualTo(GpuCloudErrorCode.NotSupported));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    // ------------------------------------------------------------------------------------------- SSH keys

    // Pages: Fluence's main API spec (fluencelabs/terraform-provider-cloudless, internal/client/mock/testdata/
    // fluence-public.yaml @ 01abcc7) says "One-based page number", offset (page - 1) * perPage; Fluence's Go client there
    // (internal/client/client.go) walks pages 1..N "as the server reports them" (currentPage, totalPages).

    [Test]
    public async Task ListSshKeys_AsksForPageOneFirst_FingerprintComputedLocally()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPage(1, 1, SshKey(DocKeyId, "my-key", DocKey, fingerprint: "SHA256:whatever-the-server-says")));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        Assert.That(keys, Is.EqualTo(new[]
        {
            new SshKey { Provider = "fluence", Id = DocKeyId, Name = "my-key", PublicKey = DocKey, Algorithm = "ssh-ed25519", Fingerprint = DocKeyFingerprint },
        }));
        var request = http.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Uri.Query, Is.EqualTo("?page=1&perPage=100"));
            Assert.That(request.Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey));
        }
    }

    [Test]
    public async Task ListSshKeys_FollowsEveryPage_OneBased()
    {
        using var http = new RecordingHttp();
        const string second = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        const string third = "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee";
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 1, 3, SshKey(DocKeyId, "my-key", DocKey)));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=2&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 2, 3, SshKey(second, "rsa", TestKeys.Rsa2048, "ssh-rsa")));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=3&perPage=100")
            .Respond("application/json", SshKeyPageOf(3, 3, 3, SshKey(third, "ec", TestKeys.Ecdsa256, "ecdsa-sha2-nistp256")));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { DocKeyId, second, third }));
            Assert.That(keys.Select(k => k.Fingerprint), Is.EqualTo(new[] { DocKeyFingerprint, TestKeys.Rsa2048Fingerprint, TestKeys.Ecdsa256Fingerprint }));
            Assert.That(http.Requests.Select(r => r.Uri.Query), Is.EqualTo(new[] { "?page=1&perPage=100", "?page=2&perPage=100", "?page=3&perPage=100" }));
        }
    }

    [Test]
    public async Task ListSshKeys_AServerThatReportsPageZero_IsFollowedAsReported()
    {
        // Fluence's own mock (internal/client/mock/ssh_keys.go) answers every list with currentPage 0 of 1 page.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "my-key", DocKey)));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { DocKeyId }));
            Assert.That(http.Requests.Select(r => r.Uri.Query), Is.EqualTo(new[] { "?page=1&perPage=100" }));
        }
    }

    [Test]
    public async Task ListSshKeys_AServerThatNumbersFromZero_StillGivesEveryKey()
    {
        // The requirement ("still correct if a server numbers from 0"): such a server takes page=1 as its second
        // page (and its page 2 as past the end); the reported filteredRecords shows a key is missing, and page 0 holds it.
        using var http = new RecordingHttp();
        const string second = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPageOf(2, 1, 2, SshKey(second, "rsa", TestKeys.Rsa2048, "ssh-rsa")));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=2&perPage=100")
            .Respond("application/json", SshKeyPageOf(2, 2, 2));
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=0&perPage=100")
            .Respond("application/json", SshKeyPageOf(2, 0, 2, SshKey(DocKeyId, "my-key", DocKey)));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        Assert.That(keys.Select(k => k.Id), Is.EquivalentTo(new[] { DocKeyId, second }));
    }

    [Test]
    public async Task ListSshKeys_StopsAtAnEmptyPage()
    {
        using var http = new RecordingHttp();
        http.Mock.When(HttpMethod.Get, SshKeysUrl).WithExactQueryString("page=1&perPage=100")
            .Respond("application/json", SshKeyPage(1, 5));
        using var fluence = Build.Fluence(http);

        var keys = await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys, Is.Empty);
            Assert.That(http.Requests, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task ListSshKeys_UnparsableKey_KeepsTheServersFingerprint()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "dss", "ssh-dss AAAAB3NzaC1kc3M=", "ssh-dss", "SHA256:server")));
        using var fluence = Build.Fluence(http);

        var key = (await fluence.ListSshKeysAsync()).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Fingerprint, Is.EqualTo("SHA256:server"));
            Assert.That(key.Algorithm, Is.EqualTo("ssh-dss"));
        }
    }

    [Test]
    public async Task AddSshKey_PostsNameAndKey()
    {
        using var http = new RecordingHttp();
        const string newId = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "my-key", DocKey)));
        http.Json(HttpMethod.Post, SshKeysUrl, SshKey(newId, "laptop", TestKeys.Ed25519));
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(newId));
            Assert.That(key.Fingerprint, Is.EqualTo(TestKeys.Ed25519Fingerprint));
            var body = JObject.Parse(http.Sent(HttpMethod.Post, SshKeysUrl).Single().Body!);
            Assert.That(JToken.DeepEquals(body, new JObject { ["name"] = "laptop", ["publicKey"] = TestKeys.Ed25519 }), Is.True, body.ToString());
        }
    }

    [Test]
    public async Task AddSshKey_SameKeyMaterialAlreadyThere_ReturnsIt_WithoutPosting()
    {
        using var http = new RecordingHttp();
        // The same key under another name and comment.
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1, SshKey(DocKeyId, "old-name", TestKeys.Ed25519Material + " someone@else")));
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(DocKeyId));
            Assert.That(key.Name, Is.EqualTo("old-name"));
            Assert.That(http.Sent(HttpMethod.Post, SshKeysUrl), Is.Empty);
        }
    }

    [Test]
    public async Task AddSshKey_ConflictBecauseAddedConcurrently_ReturnsTheKey()
    {
        using var http = new RecordingHttp();
        var lists = 0;
        http.Mock.When(HttpMethod.Get, SshKeysUrl).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(++lists == 1 ? SshKeyPage(0, 1) : SshKeyPage(0, 1, SshKey(DocKeyId, "laptop", TestKeys.Ed25519)),
                System.Text.Encoding.UTF8, "application/json"),
        });
        http.Raw(HttpMethod.Post, SshKeysUrl, HttpStatusCode.Conflict, """{"code": "conflict", "error": "SSH key already exists"}""");
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        Assert.That(key.Id, Is.EqualTo(DocKeyId));
    }

    [Test]
    public async Task AddSshKey_409SshKeyAlreadyExists_ReturnsTheRegisteredKey()
    {
        // Source: Fluence's mock (fluencelabs/terraform-provider-cloudless, internal/client/mock/ssh_keys.go) answers 409
        // {"error": "SshKey already exists"} when the algorithm and base64 match, comment ignored; Fluence's provider then
        // adopts the existing key. The first list here misses it (a list racing the registration).
        using var http = new RecordingHttp();
        var lists = 0;
        http.Mock.When(HttpMethod.Get, SshKeysUrl).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(++lists == 1 ? SshKeyPage(1, 1) : SshKeyPage(1, 1, SshKey(DocKeyId, "old-name", TestKeys.Ed25519Material + " other@comment")),
                System.Text.Encoding.UTF8, "application/json"),
        });
        http.Raw(HttpMethod.Post, SshKeysUrl, HttpStatusCode.Conflict, """{"error": "SshKey already exists"}""");
        using var fluence = Build.Fluence(http);

        var key = await fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(DocKeyId));
            Assert.That(key.Name, Is.EqualTo("old-name"));
        }
    }

    [Test]
    public void AddSshKey_ConflictWithAnotherKey_IsReported()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(0, 1));
        http.Raw(HttpMethod.Post, SshKeysUrl, HttpStatusCode.Conflict, """{"code": "conflict", "error": "name already used"}""");
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(ex.ProviderMessage, Is.EqualTo("name already used"));
        }
    }

    [Test]
    public async Task RemoveSshKey_PostsToDelete_AndAMissingKeyCountsAsRemoved()
    {
        // Source: Fluence's Go client deletes with POST /v1/ssh_keys/delete {"ids": [id]} (fluencelabs/terraform-provider-cloudless,
        // internal/client/client.go DeleteSSHKey); its spec answers with the removed keys, so a missing id gives [].
        using var http = new RecordingHttp();
        const string missing = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        http.Mock.When(HttpMethod.Post, SshKeysUrl + "/delete").WithContent($$"""{"ids":["{{DocKeyId}}"]}""")
            .Respond("application/json", "[" + SshKey(DocKeyId, "my-key", DocKey) + "]");
        http.Mock.When(HttpMethod.Post, SshKeysUrl + "/delete").WithContent($$"""{"ids":["{{missing}}"]}""")
            .Respond("application/json", "[]");
        using var fluence = Build.Fluence(http);

        await fluence.RemoveSshKeyAsync(DocKeyId);
        await fluence.RemoveSshKeyAsync(missing);

        Assert.That(http.Requests.Select(r => $"{r.Method} {r.Uri} {r.Body}"), Is.EqualTo(new[]
        {
            $$"""POST {{SshKeysUrl}}/delete {"ids":["{{DocKeyId}}"]}""", $$"""POST {{SshKeysUrl}}/delete {"ids":["{{missing}}"]}""",
        }));
    }

    // ------------------------------------------------------------------------------------- auth and base URL

    [Test]
    public async Task EveryCall_SendsTheKeyInBothForms()
    {
        // Source: Fluence's Go client sets "Authorization: X-API-KEY <key>" and "X-Api-Key: <key>" on every call, "so either
        // gateway configuration works" (internal/client/client.go); the docs show the Authorization form.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerPlansUrl, "[]");
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(1, 1));
        using var fluence = Build.Fluence(http);

        await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });
        await fluence.ListSshKeysAsync();

        Assert.That(http.Requests, Has.Count.EqualTo(2));
        foreach (var request in http.Requests)
            using (Assert.EnterMultipleScope())
            {
                Assert.That(request.Header("X-API-KEY"), Is.EqualTo(Build.FluenceKey), request.ToString());
                Assert.That(request.Header("Authorization"), Is.EqualTo("X-API-KEY " + Build.FluenceKey), request.ToString());
            }
    }

    [TestCase("https://api.fluence.dev/gpu")]
    [TestCase("https://api.fluence.dev/gpu/")]
    [TestCase("https://api.fluence.dev/")]
    [TestCase("https://api.fluence.dev")]
    [TestCase("https://api.fluence.dev/GPU//")]
    public async Task BaseUrl_WithOrWithoutTheDocsGpuSuffix_ReachesTheSamePaths(string baseUrl)
    {
        // Source: the Fluence GPU docs print https://api.fluence.dev/gpu as the base URL (fluencelabs/docs, gpu_cloud);
        // the main API's base is https://api.fluence.dev. Copying either must not give /gpu/gpu/... (a 404 on every call).
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerPlansUrl, "[]");
        http.Json(HttpMethod.Get, SshKeysUrl, SshKeyPage(1, 1));
        var options = new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(baseUrl) };
        using var fluence = new FluenceProvider(options, http.Handler);

        await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });
        await fluence.ListSshKeysAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Requests.Select(r => r.Uri.GetLeftPart(UriPartial.Path)), Is.EqualTo(new[] { ContainerPlansUrl, SshKeysUrl }));
            Assert.That(options.BaseUrl, Is.EqualTo(new Uri("https://api.fluence.dev")), "normalized once, in the options");
        }
    }

    [Test]
    public void BaseUrl_KeepsAProxyPrefix()
    {
        var options = new FluenceOptions { BaseUrl = new Uri("https://proxy.example/fluence/gpu/") };

        Assert.That(options.BaseUrl, Is.EqualTo(new Uri("https://proxy.example/fluence")));
    }
}
