using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

public partial class FluidstackProviderTests
{
    [Test]
    public async Task Create_PostsToTheRegion_WithKeysAsCloudInit()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Post, Sandbox + "/instances", Instance("creating", ip: null), HttpStatusCode.Created);
        using var fluidstack = Build.Fluidstack(http);

        var instance = await fluidstack.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluidstack",
            PlanId = "sandbox/h100-hgx-80gb.8x",
            Name = "instance-1",
            SshPublicKeys = [TestKeys.Ed25519],
            Tags = new Dictionary<string, string> { ["environment"] = "production" },
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo(InstanceId));
            Assert.That(instance.State, Is.EqualTo(InstanceState.Provisioning));
        }
        var post = http.Sent(HttpMethod.Post, Sandbox + "/instances").Single();
        var body = JObject.Parse(post.Body!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(post.Header("X-PROJECT-ID"), Is.EqualTo(ProjectId.ToString()));
            Assert.That(post.Header("Authorization"), Is.EqualTo("Bearer test-token"));
            Assert.That((string?)body["name"], Is.EqualTo("instance-1"));
            Assert.That((string?)body["type"], Is.EqualTo("h100-hgx-80gb.8x"), "the instance type, without the region");
            Assert.That((string?)body["image"], Is.EqualTo("image://ubuntu22.04"), "the default image");
            Assert.That((bool?)body["preemptible"], Is.False);
            Assert.That((bool?)body["ephemeral"], Is.False);
            Assert.That(JToken.DeepEquals(body["tags"], new JObject { ["environment"] = "production" }), Is.True);
            Assert.That(DecodeUserData(post), Is.EqualTo($"#cloud-config\nssh_authorized_keys:\n  - \"{Material(TestKeys.Ed25519)}\"\n"));
        }
    }

    [Test]
    public async Task Create_MergesKeysIntoTheCallersCloudConfig_AndPassesTheImage()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Post, Eu1 + "/instances", Instance("creating", ip: null), HttpStatusCode.Created);
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluidstack",
            PlanId = "eu-1/a100-sxm4-80gb.4x",
            Name = "trainer",
            OsImage = "image://ubuntu24.04",
            SshPublicKeys = [TestKeys.Ed25519, TestKeys.Ecdsa256],
            UserData = "#cloud-config\r\npackages:\r\n  - htop\r\n",
        });

        var post = http.Sent(HttpMethod.Post, Eu1 + "/instances").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((string?)JObject.Parse(post.Body!)["image"], Is.EqualTo("image://ubuntu24.04"));
            Assert.That(DecodeUserData(post), Is.EqualTo(
                $"#cloud-config\npackages:\n  - htop\nssh_authorized_keys:\n  - \"{Material(TestKeys.Ed25519)}\"\n  - \"{Material(TestKeys.Ecdsa256)}\"\n"));
        }
    }

    [Test]
    public async Task Create_WithoutKeys_SendsTheUserDataUnchanged()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Post, Sandbox + "/instances", Instance("creating", ip: null), HttpStatusCode.Created);
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluidstack", PlanId = "sandbox/cpu.2x", Name = "script", UserData = "#!/bin/bash\necho hi\n",
        });

        Assert.That(DecodeUserData(http.Sent(HttpMethod.Post, Sandbox + "/instances").Single()), Is.EqualTo("#!/bin/bash\necho hi\n"));
    }

    [Test]
    public async Task Create_WithNeitherKeysNorUserData_SendsNoUserData()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Post, Sandbox + "/instances", Instance("creating", ip: null), HttpStatusCode.Created);
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.CreateInstanceAsync(new CreateInstanceRequest { Provider = "fluidstack", PlanId = "sandbox/cpu.2x", Name = "bare" });

        var body = JObject.Parse(http.Sent(HttpMethod.Post, Sandbox + "/instances").Single().Body!);
        Assert.That(body["userData"], Is.Null.Or.Property("Type").EqualTo(JTokenType.Null));
    }

    [Test]
    public void Create_InAnUnknownRegion_IsNotFound_WithoutPosting()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluidstack", PlanId = "mars-1/h100-hgx-80gb.8x", Name = "x",
        }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.NotFound));
            Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Post), Is.Empty);
        }
    }
}
