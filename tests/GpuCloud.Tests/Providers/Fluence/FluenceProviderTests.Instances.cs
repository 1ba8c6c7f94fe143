using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

public partial class FluenceProviderTests
{
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
            Assert.That(ex.Message, Does.Contain($"no instance {id}."));
            Assert.That(http.Requests, Has.Count.EqualTo(3));
        }
    }

    [Test]
    public void NullId_IsRefusedAsMissing_BeforeSending()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.GetInstanceAsync(null!));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("instanceId"));
            Assert.That(ex.Message, Does.Contain("an id is required."));
            Assert.That(http.Requests, Is.Empty);
        }
    }
}
