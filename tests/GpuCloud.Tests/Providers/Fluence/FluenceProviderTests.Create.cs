using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

public partial class FluenceProviderTests
{
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
            Assert.That(ex.Message, Does.Contain("plan vm:99999999-0000-0000-0000-000000000000 is not offered (any more)."));
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
            Assert.That(instance.ProviderState, Is.EqualTo("INITIALIZED"), "Fluence's state of a fresh deploy");
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
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
            Assert.That(ex.Message, Does.Contain("the deploy response carried no instance_id."));
        }
    }

    [TestCase("h200")]
    [TestCase("gpu:" + H200PlanId)]
    public void Create_PlanIdWithoutItsFamily_IsRefusedBeforeSending(string planId)
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = planId, Name = "box", SshPublicKeys = [TestKeys.Ed25519],
        }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Field, Is.EqualTo("PlanId"));
            Assert.That(ex.Message, Does.Contain($"'{planId}' is not a Fluence plan id (expected container:, vm: or baremetal:)."));
            Assert.That(http.Requests, Is.Empty);
        }
    }
}
