using System.Net;
using System.Text;
using GpuCloud;
using GpuCloud.Providers;
using GpuCloud.Tests.Support;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;
using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

/// <summary>FluidstackProvider over MockHttp: regions, plans, capacity, instances, states, keys, user data and headers.</summary>
public class FluidstackProviderTests
{
    private const string InstanceId = "sandbox/" + InstanceGuid;

    private static void RegionalPlans(RecordingHttp http, string regional, string types = InstanceTypes, string capacity = Capacity)
    {
        http.Json(HttpMethod.Get, regional + "/instance-types", types);
        http.Json(HttpMethod.Get, regional + "/capacity", capacity);
    }

    private static string DecodeUserData(RecordedRequest post)
    {
        var encoded = (string?)JObject.Parse(post.Body!)["userData"];
        Assert.That(encoded, Is.Not.Null, "userData was not sent");
        return Encoding.UTF8.GetString(Convert.FromBase64String(encoded!));
    }

    // ------------------------------------------------------------------------------------------- plans

    [Test]
    public async Task Plans_PerRegion_WithCapacityAndConfiguredPrices()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        RegionalPlans(http, Sandbox);
        RegionalPlans(http, Eu1);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        Assert.That(result.Failures, Is.Empty);
        Assert.That(result.Plans.Select(p => p.Id), Is.EquivalentTo(new[]
        {
            "sandbox/h100-hgx-80gb.8x", "sandbox/a100-sxm4-80gb.4x", "sandbox/cpu.2x",
            "eu-1/h100-hgx-80gb.8x", "eu-1/a100-sxm4-80gb.4x", "eu-1/cpu.2x",
        }));
        var h100 = result.Plans.Single(p => p.Id == "sandbox/h100-hgx-80gb.8x");
        var a100 = result.Plans.Single(p => p.Id == "sandbox/a100-sxm4-80gb.4x");
        var cpu = result.Plans.Single(p => p.Id == "sandbox/cpu.2x");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(h100.Provider, Is.EqualTo("fluidstack"));
            Assert.That(h100.Name, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(h100.ProviderPlanName, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(h100.Workload, Is.EqualTo(WorkloadType.VirtualMachine));
            Assert.That(h100.Gpu, Is.EqualTo(new GpuSpec("nvidia", "H100", 80, GpuInterconnect.SXM, 8) { IsKnownModel = true }), "camelCase gpuModel/gpuCount");
            Assert.That(h100.ProviderGpuName, Is.EqualTo("GH100_H100_SXM5_80GB"));
            Assert.That(h100.VCpus, Is.EqualTo(96));
            Assert.That(h100.MemoryGiB, Is.EqualTo(960));
            Assert.That(h100.PricePerHour, Is.EqualTo(23.92m), "from FluidstackOptions.PricePerHour");
            Assert.That(h100.Currency, Is.EqualTo("USD"));
            Assert.That(h100.Locations, Is.EqualTo(new[] { "sandbox" }));
            Assert.That(h100.Region, Is.EqualTo("sandbox"));
            Assert.That(h100.Availability, Is.EqualTo(PlanAvailability.Available));
            Assert.That(h100.AvailableCount, Is.EqualTo(1));

            Assert.That(a100.Gpu, Is.EqualTo(new GpuSpec("nvidia", "A100", 80, GpuInterconnect.SXM, 4) { IsKnownModel = true }), "snake_case gpu_model/gpu_count");
            Assert.That(a100.ProviderGpuName, Is.EqualTo("A100_SXM4_80GB"));
            Assert.That(a100.MemoryGiB, Is.EqualTo(432), "432GB");
            Assert.That(a100.PricePerHour, Is.Null, "Atlas publishes no prices");
            Assert.That(a100.Currency, Is.Null);
            Assert.That(a100.Availability, Is.EqualTo(PlanAvailability.Unavailable));
            Assert.That(a100.AvailableCount, Is.Zero);

            Assert.That(cpu.Gpu, Is.EqualTo(GpuSpec.None));
            Assert.That(cpu.Availability, Is.EqualTo(PlanAvailability.Unavailable), "a type missing from /capacity has none");
            Assert.That(cpu.AvailableCount, Is.Zero);
        }
    }

    [Test]
    public async Task Plans_SendBearerEverywhere_AndTheProjectOnlyToCapacity()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        RegionalPlans(http, Sandbox);
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.ListPlansAsync(new PlanQuery());

        var regions = http.Sent(HttpMethod.Get, RegionsUrl).Single();
        var types = http.Sent(HttpMethod.Get, Sandbox + "/instance-types").Single();
        var capacity = http.Sent(HttpMethod.Get, Sandbox + "/capacity").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Requests.Select(r => r.Header("Authorization")), Is.All.EqualTo("Bearer " + Build.FluidstackToken));
            Assert.That(capacity.Header("X-PROJECT-ID"), Is.EqualTo(ProjectId.ToString()));
            Assert.That(types.Header("X-PROJECT-ID"), Is.Null);
            Assert.That(regions.Header("X-PROJECT-ID"), Is.Null);
        }
    }

    [Test]
    public async Task Plans_WithoutProject_HaveUnknownAvailability_AndNoCapacityCall()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        http.Json(HttpMethod.Get, Sandbox + "/instance-types", InstanceTypes);
        // No project configured, and the region lists two: none can be chosen, so capacity stays unknown.
        http.Json(HttpMethod.Get, Sandbox + "/projects", FluidstackNewerSourcesTests.TwoProjects);
        using var fluidstack = Build.Fluidstack(http, options: Build.FluidstackOptions(withProject: false));

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Availability), Is.All.EqualTo(PlanAvailability.Unknown));
            Assert.That(result.Plans.Select(p => p.AvailableCount), Is.All.Null);
            Assert.That(http.Sent(HttpMethod.Get, Sandbox + "/capacity"), Is.Empty);
        }
    }

    [Test]
    public async Task Plans_OnlyTheConfiguredRegions()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        RegionalPlans(http, Eu1);
        var options = Build.FluidstackOptions();
        options.Regions = ["EU-1"];
        using var fluidstack = Build.Fluidstack(http, options: options);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            // "EU-1" matches the listed "eu-1" (names compare without case), and only its plans come back: all three of them.
            Assert.That(result.Failures, Is.Empty);
            Assert.That(result.Plans.Select(p => p.Id), Is.EquivalentTo(new[] { "eu-1/h100-hgx-80gb.8x", "eu-1/a100-sxm4-80gb.4x", "eu-1/cpu.2x" }));
            Assert.That(http.Sent(HttpMethod.Get, Eu1 + "/instance-types"), Has.Count.EqualTo(1), "the configured region was asked");
            Assert.That(http.Requests.Where(r => r.Uri.Host == "sandbox.atlas.fluidstack.io"), Is.Empty);
        }
    }

    [Test]
    public async Task Plans_ForAnotherWorkload_AskNothing()
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Is.Empty);
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task Regions_AreCached_ForTheConfiguredDuration()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, SandboxOnly);
        RegionalPlans(http, Sandbox);
        var time = new FakeTimeProvider();
        using var fluidstack = Build.Fluidstack(http, time);

        await fluidstack.ListPlansAsync(new PlanQuery());
        time.Advance(TimeSpan.FromMinutes(9));
        await fluidstack.ListPlansAsync(new PlanQuery());
        Assert.That(http.Sent(HttpMethod.Get, RegionsUrl), Has.Count.EqualTo(1), "still cached after 9 of 10 minutes");

        time.Advance(TimeSpan.FromMinutes(2));
        await fluidstack.ListPlansAsync(new PlanQuery());
        Assert.That(http.Sent(HttpMethod.Get, RegionsUrl), Has.Count.EqualTo(2), "refreshed after 11 minutes");
    }

    [Test]
    public async Task OneRegionFailing_KeepsTheOthers_AndNamesTheRegion()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        RegionalPlans(http, Sandbox);
        http.Raw(HttpMethod.Get, Eu1 + "/instance-types", HttpStatusCode.InternalServerError, Error("database unavailable"));
        http.Json(HttpMethod.Get, Eu1 + "/capacity", Capacity);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Region), Is.All.EqualTo("sandbox"));
            Assert.That(result.Plans, Has.Count.EqualTo(3));
            Assert.That(result.Failures, Has.Count.EqualTo(1));
            Assert.That(result.Failures[0].Provider, Is.EqualTo("fluidstack"));
            Assert.That(result.Failures[0].Region, Is.EqualTo("eu-1"));
            Assert.That(result.Failures[0].Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(result.Failures[0].Error.ProviderMessage, Is.EqualTo("database unavailable"));
        }
    }

    [Test]
    public async Task RegionWithPlainHttpUrl_IsRefused_AndTheTokenNeverGoesThere()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, """
            [{"name": "sandbox", "url": "https://sandbox.atlas.fluidstack.io"}, {"name": "evil", "url": "http://evil.example.com"}]
            """);
        RegionalPlans(http, Sandbox);
        using var fluidstack = Build.Fluidstack(http);

        var result = await fluidstack.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(3));
            Assert.That(result.Failures.Single().Region, Is.EqualTo("evil"));
            Assert.That(result.Failures.Single().Error.Code, Is.EqualTo(GpuCloudErrorCode.InvalidResponse));
            Assert.That(http.Requests.Where(r => r.Uri.Host == "evil.example.com"), Is.Empty);
        }
    }

    [Test]
    public void RegionListFailing_FailsTheSearch()
    {
        using var http = new RecordingHttp();
        http.Raw(HttpMethod.Get, RegionsUrl, HttpStatusCode.Unauthorized, Error("token expired"));
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.ListPlansAsync(new PlanQuery()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Unauthorized));
            Assert.That(ex.ProviderMessage, Is.EqualTo("token expired"));
        }
    }

    // ------------------------------------------------------------------------------------------- instances

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
            Assert.That(ex.Message, Does.Contain("mars-1").And.Contain("sandbox"));
        }
    }

    // ------------------------------------------------------------------------------------------- create

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

    // ------------------------------------------------------------------------------------------- cloud-init merge

    [Test]
    public void UserData_NoKeys_IsUnchanged()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FluidstackMapping.UserData(null, []), Is.Null);
            Assert.That(FluidstackMapping.UserData("#!/bin/sh\n", []), Is.EqualTo("#!/bin/sh\n"));
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  \n")]
    public void UserData_KeysAlone_BecomeACloudConfig(string? userData)
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519);
        Assert.That(FluidstackMapping.UserData(userData, [key]), Is.EqualTo($"#cloud-config\nssh_authorized_keys:\n  - \"{Material(TestKeys.Ed25519)}\"\n"));
    }

    [Test]
    public void UserData_KeysJoinAnExistingBlockList_WithItsIndentation()
    {
        var key = SshPublicKey.Parse(TestKeys.Rsa2048);
        const string userData = "#cloud-config\nssh_authorized_keys:\n    - ssh-ed25519 AAAAexisting me@home\nruncmd:\n  - echo hi\n";

        Assert.That(FluidstackMapping.UserData(userData, [key]), Is.EqualTo(
            $"#cloud-config\nssh_authorized_keys:\n    - \"{Material(TestKeys.Rsa2048)}\"\n    - ssh-ed25519 AAAAexisting me@home\nruncmd:\n  - echo hi\n"));
    }

    [Test]
    public void UserData_InlineKeyList_CannotBeMergedInto()
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519);
        var ex = Assert.Throws<GpuCloudException>(() => FluidstackMapping.UserData("#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAA]\n", [key]));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("UserData"));
        }
    }

    [TestCase("#!/bin/bash\necho hi\n")]
    [TestCase("  #cloud-config\n")]
    [TestCase("Content-Type: multipart/mixed; boundary=x\n")]
    public void UserData_NotACloudConfig_WithKeys_IsRejected(string userData)
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519);
        var ex = Assert.Throws<GpuCloudException>(() => FluidstackMapping.UserData(userData, [key]));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo("UserData"));
            Assert.That(ex.Message, Does.Contain("#cloud-config"));
        }
    }

    [Test]
    public void UserData_KeyCommentCannotBreakTheYaml()
    {
        var key = SshPublicKey.Parse(TestKeys.Ed25519Material + " work: laptop");

        var item = FluidstackMapping.UserData(null, [key])!.Split('\n')[2];

        Assert.That(item.StartsWith("  - \"", StringComparison.Ordinal) || item.StartsWith("  - '", StringComparison.Ordinal) || !item.Contains(": ", StringComparison.Ordinal),
            Is.True, item);
    }

    // ------------------------------------------------------------------------------------------- delete, start, stop

    [Test]
    public async Task Delete_SendsDeleteToTheRegion_AndAMissingInstanceCountsAsDeleted()
    {
        using var http = new RecordingHttp();
        const string gone = "550e8400-e29b-41d4-a716-44665544ffff";
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Status(HttpMethod.Delete, Sandbox + "/instances/" + InstanceGuid, HttpStatusCode.NoContent);
        http.Raw(HttpMethod.Delete, Sandbox + "/instances/" + gone, HttpStatusCode.NotFound, Error("instance not found"));
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.DeleteInstanceAsync(InstanceId);
        await fluidstack.DeleteInstanceAsync("sandbox/" + gone);

        var deletes = http.Requests.Where(r => r.Method == HttpMethod.Delete).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(deletes.Select(r => r.Uri.ToString()), Is.EqualTo(new[] { Sandbox + "/instances/" + InstanceGuid, Sandbox + "/instances/" + gone }));
            Assert.That(deletes.Select(r => r.Header("X-PROJECT-ID")), Is.All.EqualTo(ProjectId.ToString()));
        }
    }

    [Test]
    public async Task StartAndStop_PostTheActions()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Status(HttpMethod.Post, Sandbox + "/instances/" + InstanceGuid + "/actions/start", HttpStatusCode.Accepted);
        http.Status(HttpMethod.Post, Sandbox + "/instances/" + InstanceGuid + "/actions/stop", HttpStatusCode.Accepted);
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.StopInstanceAsync(InstanceId);
        await fluidstack.StartInstanceAsync(InstanceId);

        Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Post).Select(r => r.Uri.AbsolutePath), Is.EqualTo(new[]
        {
            "/api/v1alpha1/instances/" + InstanceGuid + "/actions/stop", "/api/v1alpha1/instances/" + InstanceGuid + "/actions/start",
        }));
    }

    [Test]
    public void Start_WrongState_IsAConflict()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Raw(HttpMethod.Post, Sandbox + "/instances/" + InstanceGuid + "/actions/start", HttpStatusCode.Conflict, Error("Instance state conflict"));
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.StartInstanceAsync(InstanceId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(ex.ProviderMessage, Is.EqualTo("Instance state conflict"));
        }
    }

    // ------------------------------------------------------------------------------------------- SSH keys

    [Test]
    public async Task ListSshKeys_Mapped_WithLocalFingerprints()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, $"[{Key("key-1", SchemaKey)}, {Key("laptop", TestKeys.Rsa2048)}]");
        using var fluidstack = Build.Fluidstack(http);

        var keys = await fluidstack.ListSshKeysAsync();

        Assert.That(keys, Is.EqualTo(new[]
        {
            new SshKey { Provider = "fluidstack", Id = "key-1", Name = "key-1", PublicKey = SchemaKey, Algorithm = "ssh-ed25519", Fingerprint = SchemaKeyFingerprint },
            new SshKey { Provider = "fluidstack", Id = "laptop", Name = "laptop", PublicKey = TestKeys.Rsa2048, Algorithm = "ssh-rsa", Fingerprint = TestKeys.Rsa2048Fingerprint },
        }));
        Assert.That(http.Requests.Single().Header("Authorization"), Is.EqualTo("Bearer test-token"));
    }

    [Test]
    public async Task AddSshKey_RegistersNameAndKey_ThenReturnsIt()
    {
        using var http = new RecordingHttp();
        var lists = 0;
        http.Mock.When(HttpMethod.Get, UserKeysUrl).Respond(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(++lists == 1 ? "[]" : $"[{Key("laptop", TestKeys.Ed25519)}]", Encoding.UTF8, "application/json"),
        });
        http.Status(HttpMethod.Post, UserKeysUrl, HttpStatusCode.OK);
        using var fluidstack = Build.Fluidstack(http);

        var key = await fluidstack.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo("laptop"));
            Assert.That(key.Fingerprint, Is.EqualTo(TestKeys.Ed25519Fingerprint));
            var body = JObject.Parse(http.Sent(HttpMethod.Post, UserKeysUrl).Single().Body!);
            Assert.That(JToken.DeepEquals(body, new JObject { ["name"] = "laptop", ["key"] = TestKeys.Ed25519 }), Is.True, body.ToString());
        }
    }

    [Test]
    public async Task AddSshKey_SameKeyAlreadyRegistered_ReturnsIt_WithoutPosting()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, $"[{Key("old", TestKeys.Ed25519Material)}]");
        using var fluidstack = Build.Fluidstack(http);

        var key = await fluidstack.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Name, Is.EqualTo("old"));
            Assert.That(http.Sent(HttpMethod.Post, UserKeysUrl), Is.Empty);
        }
    }

    [Test]
    public void AddSshKey_ConflictWithAnotherKey_IsReported()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, UserKeysUrl, "[]");
        http.Raw(HttpMethod.Post, UserKeysUrl, HttpStatusCode.Conflict, Error("a key named laptop exists"));
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.AddSshKeyAsync("laptop", SshPublicKey.Parse(TestKeys.Ed25519)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(ex.ProviderMessage, Is.EqualTo("a key named laptop exists"));
        }
    }

    [Test]
    public async Task RemoveSshKey_ByName_AndAMissingKeyCountsAsRemoved()
    {
        using var http = new RecordingHttp();
        http.Status(HttpMethod.Delete, UserKeysUrl + "/laptop", HttpStatusCode.NoContent);
        http.Raw(HttpMethod.Delete, UserKeysUrl + "/gone", HttpStatusCode.NotFound, Error("not found"));
        using var fluidstack = Build.Fluidstack(http);

        await fluidstack.RemoveSshKeyAsync("laptop");
        await fluidstack.RemoveSshKeyAsync("gone");

        Assert.That(http.Requests.Select(r => $"{r.Method} {r.Uri}"), Is.EqualTo(new[] { $"DELETE {UserKeysUrl}/laptop", $"DELETE {UserKeysUrl}/gone" }));
    }

    /// <summary>Keys go into cloud-init as quoted key material, without their comment.</summary>
    private static string Material(string key) => SshPublicKey.Parse(key).KeyMaterial;
}
