namespace GpuCloud.Tests;

/// <summary>
/// Bad input is refused before anything is sent: each test asserts the exception's code and field, and that the
/// HTTP handler saw no request at all.
/// </summary>
public class ValidationTests
{
    // ------------------------------------------------------------------------------------------- Fluence create

    private static readonly GpuPlan FluenceContainerPlan = new()
    {
        Provider = "fluence", Id = "container:" + FluenceJson.H200PlanId, Name = "h200", Workload = WorkloadType.Container,
        Gpu = GpuModelCatalog.Parse("h200", 1), Locations = ["US"],
    };

    private static readonly GpuPlan FluenceVmPlan = new()
    {
        Provider = "fluence", Id = "vm:" + FluenceJson.A100PcieOption, Name = "a100", Workload = WorkloadType.VirtualMachine,
        Gpu = GpuModelCatalog.Parse("a100", 1), Locations = ["us-central-3"], OsImages = ["Ubuntu Server 22.04"],
    };

    private static CreateInstanceRequest Container(Func<ContainerSettings, ContainerSettings>? settings = null) => new()
    {
        Plan = FluenceContainerPlan,
        Name = "my-box",
        SshPublicKeys = [TestKeys.Ed25519],
        Container = settings is null
            ? new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" }
            : settings(new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" }),
    };

    private static CreateInstanceRequest Vm() => new()
    {
        Plan = FluenceVmPlan, Name = "my-vm", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 22.04",
    };

    private static IEnumerable<TestCaseData> BadFluenceRequests()
    {
        TestCaseData Case(string name, CreateInstanceRequest request, string field) => new TestCaseData(request, field).SetName("Fluence_" + name);

        yield return Case("UppercaseName", Container() with { Name = "MyBox" }, "Name");
        yield return Case("Name26Chars", Container() with { Name = new string('a', 26) }, "Name");
        yield return Case("LeadingHyphen", Container() with { Name = "-box" }, "Name");
        yield return Case("TrailingHyphen", Container() with { Name = "box-" }, "Name");
        yield return Case("EmptyName", Container() with { Name = "" }, "Name");
        yield return Case("NameWithSpace", Container() with { Name = "my box" }, "Name");
        yield return Case("NameWithUnderscore", Container() with { Name = "my_box" }, "Name");
        yield return Case("TwoSshKeys", Container() with { SshPublicKeys = [TestKeys.Ed25519, TestKeys.Rsa2048] }, "SshPublicKeys");
        yield return Case("InvalidSshKey", Container() with { SshPublicKeys = ["ssh-ed25519 not-a-key"] }, "SshPublicKeys[0]");
        yield return Case("PrivateKeyAsSshKey", Container() with { SshPublicKeys = ["-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXk="] }, "SshPublicKeys[0]");
        yield return Case("UserData", Container() with { UserData = "#cloud-config\n" }, "UserData");
        yield return Case("Tags", Container() with { Tags = new Dictionary<string, string> { ["a"] = "b" } }, "Tags");
        yield return Case("ContainerPlanWithoutSettings", Container() with { Container = null }, "Container");
        yield return Case("ContainerWithOsImage", Container() with { OsImage = "Ubuntu Server 22.04" }, "OsImage");
        yield return Case("LocationNotACountryCode", Container() with { Location = "USA" }, "Location");
        yield return Case("LocationNotInPlan", Container() with { Location = "DE" }, "Location");
        yield return Case("Port0", Container(c => c with { Ports = [new ContainerPort(0)] }), "Container.Ports[0]");
        yield return Case("Port70000", Container(c => c with { Ports = [new ContainerPort(22), new ContainerPort(70000)] }), "Container.Ports[1]");
        yield return Case("HttpOn8080", Container(c => c with { Ports = [new ContainerPort(8080, PortProtocol.Http)] }), "Container.Ports[0]");
        yield return Case("UnknownProtocol", Container(c => c with { Ports = [new ContainerPort(22, (PortProtocol)99)] }), "Container.Ports[0]");
        yield return Case("ElevenPorts", Container(c => c with { Ports = Enumerable.Range(1000, 11).Select(p => new ContainerPort(p)).ToArray() }), "Container.Ports");
        yield return Case("NoPorts", Container(c => c with { Ports = [] }), "Container.Ports");
        yield return Case("SamePortTwice", Container(c => c with { Ports = [new ContainerPort(22), new ContainerPort(22)] }), "Container.Ports");
        yield return Case("LowerCaseEnvName", Container(c => c with { Environment = new Dictionary<string, string> { ["model_path"] = "x" } }), "Container.Environment[model_path]");
        yield return Case("EnvNameStartingWithDigit", Container(c => c with { Environment = new Dictionary<string, string> { ["1ABC"] = "x" } }), "Container.Environment[1ABC]");
        yield return Case("EnvNameWithHyphen", Container(c => c with { Environment = new Dictionary<string, string> { ["A-B"] = "x" } }), "Container.Environment[A-B]");
        yield return Case("SshPubkeyWithAKey", Container(c => c with { Environment = new Dictionary<string, string> { ["SSH_PUBKEY"] = "x" } }), "Container.Environment[SSH_PUBKEY]");
        yield return Case("EnvNullValue", Container(c => c with { Environment = new Dictionary<string, string> { ["A"] = null! } }), "Container.Environment[A]");
        yield return Case("SixtyFiveEnvVars", Container(c => c with { Environment = Enumerable.Range(0, 65).ToDictionary(i => $"V{i}", _ => "x") }), "Container.Environment");
        yield return Case("UppercaseImage", Container(c => c with { Image = "docker.io/FluenceLabs/debian:11" }), "Container.Image");
        yield return Case("ImageWithSpace", Container(c => c with { Image = "docker.io/x y:1" }), "Container.Image");
        yield return Case("LongImage", Container(c => c with { Image = "docker.io/" + new string('a', 250) }), "Container.Image");
        yield return Case("EmptyImage", Container(c => c with { Image = "" }), "Container.Image");
        yield return Case("LongStartupCommand", Container(c => c with { StartupCommand = new string('x', 2049) }), "Container.StartupCommand");
        yield return Case("BadRegistryHost", Container(c => c with { Registry = new RegistryCredentials("quay.io", "me", "pw") }), "Container.Registry.Host");
        yield return Case("RegistryWithoutPassword", Container(c => c with { Registry = new RegistryCredentials("docker.io", "me", "") }), "Container.Registry");
        yield return Case("VmWithoutKey", Vm() with { SshPublicKeys = [] }, "SshPublicKeys");
        yield return Case("VmWithoutOsImage", Vm() with { OsImage = null }, "OsImage");
        yield return Case("VmOsImageNotInPlan", Vm() with { OsImage = "Ubuntu Server 2.04" }, "OsImage");
        yield return Case("VmOsImageWrongCase", Vm() with { OsImage = "ubuntu server 22.04" }, "OsImage");
        yield return Case("VmWithContainerSettings", Vm() with { Container = new ContainerSettings { Image = "x" } }, "Container");
        yield return Case("VmLocationNotInPlan", Vm() with { Location = "dulles-usa-1" }, "Location");
        yield return Case("PlanOfAnotherProvider", Vm() with { Plan = FluenceVmPlan with { Provider = "fluidstack" } }, "Plan");
        yield return Case("PlanIdWithoutWorkload", new CreateInstanceRequest { Provider = "fluence", PlanId = FluenceJson.H200PlanId, Name = "x" }, "PlanId");
        yield return Case("PlanIdWithSlash", new CreateInstanceRequest { Provider = "fluence", PlanId = "container:a/b", Name = "x" }, "PlanId");
        yield return Case("PlanIdWithDotDot", new CreateInstanceRequest { Provider = "fluence", PlanId = "vm:..", Name = "x" }, "PlanId");
        yield return Case("PlanIdWithCrLf", new CreateInstanceRequest { Provider = "fluence", PlanId = "vm:abc\r\nX-Evil: 1", Name = "x" }, "PlanId");
        yield return Case("NoPlan", new CreateInstanceRequest { Provider = "fluence", Name = "x" }, "PlanId");
    }

    [TestCaseSource(nameof(BadFluenceRequests))]
    public void Fluence_BadRequest_IsRefusedBeforeSending(CreateInstanceRequest request, string field)
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(request));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo(field));
            Assert.That(ex.StatusCode, Is.Null, "a local refusal has no HTTP status");
            Assert.That(http.Requests, Is.Empty, "nothing may be sent");
        }
    }

    [Test]
    public void Fluence_BadRequestByPlanId_IsRefusedBeforeThePlanLookup()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluenceJson.VmPlansUrl, FluenceJson.VmPlans);
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(new CreateInstanceRequest
        {
            Provider = "fluence", PlanId = "vm:" + FluenceJson.A100PcieOption, Name = "Bad Name", SshPublicKeys = [TestKeys.Ed25519], OsImage = "Ubuntu Server 22.04",
        }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Field, Is.EqualTo("Name"));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [Test]
    public void Fluence_VmWithoutOsImage_NamesThePlansImages()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(Vm() with { OsImage = null }));

        Assert.That(ex.Message, Does.Contain("Ubuntu Server 22.04"));
    }

    [Test]
    public void Fluence_BadNameMessage_ShowsNoControlCharacters()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.CreateInstanceAsync(Container() with { Name = "bad\r\nname" }));

        Assert.That(ex.Message, Does.Not.Contain("\r").And.Not.Contain("\n"));
    }

    [TestCase("container:a/b")]
    [TestCase("container:..")]
    [TestCase("vm:../../ssh_keys")]
    [TestCase("vm:abc\r\nX-Evil: 1")]
    [TestCase("baremetal:a b")]
    [TestCase("a%2Fb")]
    [TestCase("container:")]
    [TestCase("")]
    public void Fluence_BadInstanceIds_AreRefusedBeforeSending(string id)
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluence.GetInstanceAsync(id))!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluence.DeleteInstanceAsync(id))!.Field, Is.EqualTo("instanceId"));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [TestCase("not-a-uuid")]
    [TestCase("../v1/api_keys")]
    [TestCase("")]
    [TestCase(null)]
    public void Fluence_BadKeyId_IsRefusedBeforeSending(string? keyId)
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.RemoveSshKeyAsync(keyId!));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Field, Is.EqualTo("keyId"));
            Assert.That(ex.Message, Does.Contain($"'{keyId ?? ""}' is not a Fluence key id (a UUID)."));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [TestCase("My Key")]
    [TestCase("a-very-long-key-name-over-25")]
    [TestCase("")]
    public void Fluence_BadKeyName_IsRefusedBeforeSending(string name)
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.AddSshKeyAsync(name, SshPublicKey.Parse(TestKeys.Ed25519)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Field, Is.EqualTo("name"));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    // ------------------------------------------------------------------------------------------- Fluidstack create

    private static CreateInstanceRequest FsRequest() => new()
    {
        Provider = "fluidstack", PlanId = "sandbox/h100-hgx-80gb.8x", Name = "instance-1", SshPublicKeys = [TestKeys.Ed25519],
    };

    private static IEnumerable<TestCaseData> BadFluidstackRequests()
    {
        TestCaseData Case(string name, CreateInstanceRequest request, string field) => new TestCaseData(request, field).SetName("Fluidstack_" + name);

        yield return Case("NameStartingWithHyphen", FsRequest() with { Name = "-x" }, "Name");
        yield return Case("NameWithSpace", FsRequest() with { Name = "a b" }, "Name");
        yield return Case("EmptyName", FsRequest() with { Name = "" }, "Name");
        yield return Case("Name64Chars", FsRequest() with { Name = new string('a', 64) }, "Name");
        yield return Case("ContainerSettings", FsRequest() with { Container = new ContainerSettings { Image = "x" } }, "Container");
        yield return Case("LocationOtherThanTheRegion", FsRequest() with { Location = "eu-1" }, "Location");
        yield return Case("ImageWithSpace", FsRequest() with { OsImage = "image://ubuntu 22.04" }, "OsImage");
        yield return Case("ImageTooLong", FsRequest() with { OsImage = "image://" + new string('u', 250) }, "OsImage");
        yield return Case("TagKeyWithLeadingHyphen", FsRequest() with { Tags = new Dictionary<string, string> { ["-bad"] = "v" } }, "Tags[-bad]");
        yield return Case("TagKeyWithSpace", FsRequest() with { Tags = new Dictionary<string, string> { ["a b"] = "v" } }, "Tags[a b]");
        yield return Case("EmptyTagKey", FsRequest() with { Tags = new Dictionary<string, string> { [""] = "v" } }, "Tags[]");
        // The field shows a long key shortened to 60 characters.
        yield return Case("TagKey64Chars", FsRequest() with { Tags = new Dictionary<string, string> { [new string('k', 64)] = "v" } }, $"Tags[{new string('k', 60)}...]");
        yield return Case("TagValueWithNewline", FsRequest() with { Tags = new Dictionary<string, string> { ["env"] = "a\nb" } }, "Tags[env]");
        yield return Case("TagValueTooLong", FsRequest() with { Tags = new Dictionary<string, string> { ["env"] = new string('v', 256) } }, "Tags[env]");
        yield return Case("UserDataOver64KiB", FsRequest() with { SshPublicKeys = [], UserData = "#cloud-config\n" + new string('#', 64 * 1024) }, "UserData");
        yield return Case("ScriptWithKeys", FsRequest() with { UserData = "#!/bin/bash\necho hi\n" }, "UserData");
        yield return Case("InvalidSshKey", FsRequest() with { SshPublicKeys = [TestKeys.Ed25519, "ssh-rsa AAAA"] }, "SshPublicKeys[1]");
        yield return Case("PlanOfAnotherProvider", FsRequest() with { Plan = Build.Plan("fluence", "vm:x", 1m) }, "Plan");
        yield return Case("PlanIdWithoutRegion", FsRequest() with { PlanId = "h100-hgx-80gb.8x" }, "PlanId");
        yield return Case("PlanIdWithTwoSlashes", FsRequest() with { PlanId = "sandbox/x/h100" }, "PlanId");
        yield return Case("PlanIdWithDotDotRegion", FsRequest() with { PlanId = "../h100-hgx-80gb.8x" }, "PlanId");
        yield return Case("PlanIdWithCrLf", FsRequest() with { PlanId = "sandbox/h100\r\nX-Evil: 1" }, "PlanId");
        yield return Case("PlanIdWithEmptyType", FsRequest() with { PlanId = "sandbox/" }, "PlanId");
    }

    [TestCaseSource(nameof(BadFluidstackRequests))]
    public void Fluidstack_BadRequest_IsRefusedBeforeSending(CreateInstanceRequest request, string field)
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.CreateInstanceAsync(request));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(ex.Field, Is.EqualTo(field));
            Assert.That(http.Requests, Is.Empty, "nothing may be sent");
        }
    }

    [TestCase("sandbox")]
    [TestCase("sandbox/not-a-guid")]
    [TestCase("../" + FluidstackJson.InstanceGuid)]
    [TestCase("./" + FluidstackJson.InstanceGuid)]
    [TestCase("a/b/" + FluidstackJson.InstanceGuid)]
    [TestCase("sand box/" + FluidstackJson.InstanceGuid)]
    [TestCase("sandbox\r\n/" + FluidstackJson.InstanceGuid)]
    [TestCase("/" + FluidstackJson.InstanceGuid)]
    [TestCase("")]
    public void Fluidstack_BadInstanceIds_AreRefusedBeforeSending(string id)
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.GetInstanceAsync(id))!.Field, Is.EqualTo("instanceId"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.DeleteInstanceAsync(id))!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.StartInstanceAsync(id))!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.StopInstanceAsync(id))!.Code, Is.EqualTo(GpuCloudErrorCode.InvalidRequest));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [TestCase("../keys")]
    [TestCase("a/b")]
    [TestCase("key\r\n")]
    [TestCase("")]
    public void Fluidstack_BadKeyNames_AreRefusedBeforeSending(string name)
    {
        using var http = new RecordingHttp();
        using var fluidstack = Build.Fluidstack(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.RemoveSshKeyAsync(name))!.Field, Is.EqualTo("keyId"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluidstack.AddSshKeyAsync(name, SshPublicKey.Parse(TestKeys.Ed25519)))!.Field, Is.EqualTo("name"));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    // ------------------------------------------------------------------------------------------- the client's own checks

    [Test]
    public void Client_AddSshKey_BadKeyOrName_SendsNothing()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);
        using var client = new GpuCloudClient([fluence]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.AddSshKeyAsync("laptop", "ssh-ed25519 AAAA"))!.Field, Is.EqualTo("publicKey"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.AddSshKeyAsync(" ", TestKeys.Ed25519))!.Field, Is.EqualTo("name"));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    [Test]
    public void Client_MissingIdsAndProviders_SendNothing()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);
        using var client = new GpuCloudClient([fluence]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.GetInstanceAsync("fluence", " "))!.Field, Is.EqualTo("instanceId"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.DeleteInstanceAsync("fluence", ""))!.Field, Is.EqualTo("instanceId"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.RemoveSshKeyAsync("fluence", ""))!.Field, Is.EqualTo("keyId"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.GetInstanceAsync("", "x"))!.Field, Is.EqualTo("provider"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.GetInstanceAsync("lambda", "x"))!.Message, Does.Contain("lambda").And.Contain("configured: fluence"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(new CreateInstanceRequest { Name = "x" }))!.Field, Is.EqualTo("Plan"));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(new CreateInstanceRequest { Name = "x", Provider = "fluence" }))!.Field, Is.EqualTo("PlanId"));
            Assert.That(http.Requests, Is.Empty);
        }
    }

    // ------------------------------------------------------------------------------------------- settings

    [Test]
    public void Providers_WithoutOptions_AreAnArgumentNullException()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => new FluenceProvider(null!))!.ParamName, Is.EqualTo("options"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => new FluidstackProvider(null!))!.ParamName, Is.EqualTo("options"));
        }
    }

    [TestCase("http://api.fluence.dev")]
    [TestCase("http://10.0.0.1")]
    [TestCase("ftp://api.fluence.dev")]
    public void Fluence_NonHttpsBaseUrl_IsRefused(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(url) }));
        Assert.That(ex.ParamName, Is.EqualTo("Fluence.BaseUrl"));
    }

    [Test]
    public void Fluence_RelativeBaseUrl_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri("/gpu", UriKind.Relative) }));
        Assert.That(ex.ParamName, Is.EqualTo("Fluence.BaseUrl"));
    }

    [TestCase("http://127.0.0.1:8080")]
    [TestCase("http://localhost:5000")]
    [TestCase("http://[::1]:8080")]
    public async Task Fluence_PlainHttpOnLoopback_IsAllowed_AndUsed(string url)
    {
        using var http = new RecordingHttp();
        var plans = url.TrimEnd('/') + "/gpu/plans/";
        http.Json(HttpMethod.Get, plans, FluenceJson.ContainerPlans);
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(url) }, http.Handler);

        var result = await fluence.ListPlansAsync(new PlanQuery { Workload = WorkloadType.Container });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(2));
            Assert.That(http.Requests.Single().Uri, Is.EqualTo(new Uri(plans)));
        }
    }

    [TestCase("line1\r\nX-Injected: yes")]
    [TestCase("key\nwith-newline")]
    [TestCase("key\twith-tab")]
    [TestCase("kéy-non-ascii")]
    public void Fluence_ApiKeyWithControlCharacters_IsRefused_WithoutShowingIt(string key)
    {
        var ex = Assert.Throws<ArgumentException>(() => new FluenceProvider(new FluenceOptions { ApiKey = key }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ParamName, Is.EqualTo("Fluence.ApiKey"));
            Assert.That(ex.Message, Does.Not.Contain(key));
            Assert.That(ex.Message, Does.Not.Contain("line1").And.Not.Contain("with-newline").And.Not.Contain("with-tab").And.Not.Contain("non-ascii"));
        }
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void Fluence_MissingApiKey_IsRefused(string? key)
    {
        var ex = Assert.Throws<ArgumentException>(() => new FluenceProvider(new FluenceOptions { ApiKey = key }));
        Assert.That(ex.ParamName, Is.EqualTo("Fluence.ApiKey"));
    }

    [Test]
    public void Fluidstack_NonHttpsManagementUrl_IsRefused()
    {
        var options = Build.FluidstackOptions();
        options.ManagementUrl = new Uri("http://api.atlas.fluidstack.io/api/v1alpha1");

        var ex = Assert.Throws<ArgumentException>(() => new FluidstackProvider(options));
        Assert.That(ex.ParamName, Is.EqualTo("Fluidstack.ManagementUrl"));
    }

    [Test]
    public async Task Fluidstack_PlainHttpManagementUrlOnLoopback_IsAllowed()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, "http://127.0.0.1:9000/api/v1alpha1/user/keys", "[]");
        var options = Build.FluidstackOptions();
        options.ManagementUrl = new Uri("http://127.0.0.1:9000/api/v1alpha1");
        using var fluidstack = new FluidstackProvider(options, http.Handler, new FakeTimeProvider());

        Assert.That(await fluidstack.ListSshKeysAsync(), Is.Empty);
    }

    [Test]
    public void Fluidstack_TokenWithCrLf_IsRefused_WithoutShowingIt()
    {
        var options = Build.FluidstackOptions();
        options.Token = "secret-token\r\nX-Injected: yes";

        var ex = Assert.Throws<ArgumentException>(() => new FluidstackProvider(options));
        Assert.That(ex.Message, Does.Not.Contain("secret-token"));
    }

    [Test]
    public void Fluidstack_NoCredentials_IsRefused()
    {
        var options = Build.FluidstackOptions();
        options.Token = null;

        var ex = Assert.Throws<ArgumentException>(() => new FluidstackProvider(options));
        Assert.That(ex.ParamName, Is.EqualTo("Fluidstack.Token"));
    }

    [Test]
    public void Fluidstack_EmptyProjectGuid_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FluidstackProvider(Build.FluidstackOptions(Guid.Empty)));
        Assert.That(ex.ParamName, Is.EqualTo("Fluidstack.ProjectId"));
    }

    private static IEnumerable<TestCaseData> BadClientOptions()
    {
        yield return new TestCaseData(new GpuCloudOptions { PollInterval = TimeSpan.Zero }, "PollInterval");
        yield return new TestCaseData(new GpuCloudOptions { ReadyTimeout = TimeSpan.FromSeconds(-1) }, "ReadyTimeout");
        yield return new TestCaseData(new GpuCloudOptions { CleanupTimeout = TimeSpan.Zero }, "CleanupTimeout");
        yield return new TestCaseData(new GpuCloudOptions { MaxCreateAttempts = 0 }, "MaxCreateAttempts");
    }

    [TestCaseSource(nameof(BadClientOptions))]
    public void Client_BadOptions_AreRefused(GpuCloudOptions options, string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => new GpuCloudClient([new FakeProvider("alpha")], options));
        Assert.That(ex.ParamName, Is.EqualTo(name));
    }

    [Test]
    public void Client_TwoProvidersWithOneName_AreRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GpuCloudClient([new FakeProvider("alpha"), new FakeProvider("ALPHA")]));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.ParamName, Is.EqualTo("providers"));
            Assert.That(ex.Message, Does.Contain("'alpha'"), "the message names the duplicate");
        }
    }

    [Test]
    public void Client_WithoutCredentials_ListsTheDisabledProviders()
    {
        using var client = new GpuCloudClient(new GpuCloudOptions());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.Providers, Is.Empty);
            Assert.That(client.DisabledProviders.Keys, Is.EquivalentTo(new[] { "fluence", "fluidstack" }));
            var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.GetInstanceAsync("fluence", "x"));
            Assert.That(ex!.Message, Does.Contain("disabled"));
        }
    }

    [Test]
    public void Client_FromOptions_RefusesABadBaseUrl()
    {
        var options = new GpuCloudOptions { Fluence = { ApiKey = Build.FluenceKey, BaseUrl = new Uri("http://api.fluence.dev") } };
        var ex = Assert.Throws<ArgumentException>(() => new GpuCloudClient(options));
        Assert.That(ex.ParamName, Is.EqualTo("Fluence.BaseUrl"));
    }
}
