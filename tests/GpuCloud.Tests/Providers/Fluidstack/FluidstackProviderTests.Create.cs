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

    [TestCase(HttpStatusCode.Conflict)]
    [TestCase(HttpStatusCode.BadGateway)]
    public void Create_AnErrorStatusWhoseBodyReadsAsAnInstance_IsTheError(HttpStatusCode status)
    {
        // Only a success carries the instance: a body shaped like one under an error status is not a create.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Post, Sandbox + "/instances", Instance("creating", ip: null), status);
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.CreateInstanceAsync(InSandbox()));

        Assert.That(ex.StatusCode, Is.EqualTo(status));
    }

    [Test]
    public async Task Create_AnsweredWith200_WithValuesTheSpecDoesNotAllow_IsStillTheInstance()
    {
        // userData as raw text rather than base64, and a state the spec does not list: read the way every read is.
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        var body = Instance("warming-up", ip: null).Replace("\"STJOc2IzVmtMV052Ym1acFp3cHdZV05yWVdkbGN6b0tJQ0F0SUc1bmFXNTQK\"", "\"#cloud-config\\npackages: [htop]\"", StringComparison.Ordinal);
        Assert.That(body, Does.Contain("#cloud-config"), "the fixture was changed");
        http.Json(HttpMethod.Post, Sandbox + "/instances", body, HttpStatusCode.OK);
        using var fluidstack = Build.Fluidstack(http);

        var created = await fluidstack.CreateInstanceAsync(InSandbox());

        Assert.That(created.Id, Is.EqualTo(InstanceId), "the instance exists: its id must reach the caller");
    }

    [Test]
    public void Create_PlanIdWithoutARegion_SaysWhatAFluidstackPlanIdIs()
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.CreateInstanceAsync(InSandbox() with { PlanId = "h100-hgx-80gb.8x" }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain("'h100-hgx-80gb.8x' is not a Fluidstack plan id (region/instance-type)."));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [TestCase("sandbox/not-a-guid", "'sandbox/not-a-guid'")]
    [TestCase(null, "''")]
    public void AnInstanceIdThatIsNotRegionSlashUuid_SaysWhatItShouldBe(string? id, string shown)
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.DeleteInstanceAsync(id!));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain(shown + " is not a Fluidstack instance id (region/uuid)."));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task Disposing_AProviderOnTheCallersHandler_LeavesTheHandlerUsable()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, "[]");
        var fluidstack = Build.Fluidstack(http);
        await fluidstack.ListSshKeysAsync();

        fluidstack.Dispose();

        using var after = new HttpClient(http.Handler, disposeHandler: false);
        using var response = await after.GetAsync(UserKeysUrl);
        Assert.That(response.IsSuccessStatusCode, Is.True);
    }

    [Test]
    public async Task ACallAfterDispose_IsAnObjectDisposedException()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, "[]");
        var fluidstack = Build.Fluidstack(http);
        await fluidstack.ListSshKeysAsync();

        fluidstack.Dispose();

        Assert.ThrowsAsync<ObjectDisposedException>(() => fluidstack.ListSshKeysAsync());
    }

    [Test]
    public void NullArguments_AreArgumentNullExceptions()
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<ArgumentNullException>(() => fluidstack.ListPlansAsync(null!))!.ParamName, Is.EqualTo("query"));
            Assert.That(Assert.ThrowsAsync<ArgumentNullException>(() => fluidstack.AddSshKeyAsync("laptop", null!))!.ParamName, Is.EqualTo("publicKey"));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    /// <summary>A create of the sandbox region's H100 type with one key.</summary>
    private static CreateInstanceRequest InSandbox() => new()
    {
        Provider = "fluidstack", PlanId = "sandbox/h100-hgx-80gb.8x", Name = "instance-1", SshPublicKeys = [TestKeys.Ed25519],
    };
}
