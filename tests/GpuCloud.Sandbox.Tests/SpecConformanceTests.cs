using System.Net;
using System.Text;
using GpuCloud.Generated.Fluence;
using GpuCloud.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;
using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;
using Mgmt = GpuCloud.Generated.Fluidstack.Management;

namespace GpuCloud.Sandbox.Tests;

/// <summary>
/// Every implemented operation through the clients generated from specs/, and every response body (success and
/// error) deserialized strictly into the generated DTO: a field the spec does not define, or a required one missing,
/// fails.
/// </summary>
public sealed class SpecConformanceTests : SandboxTestBase
{
    private T Strict<T>() => StrictJson.Deserialize<T>(Recorder.Last.Body);

    private static void AssertEmptyBody(Exchange exchange, int status) =>
        Assert.Multiple(() =>
        {
            Assert.That(exchange.Status, Is.EqualTo(status));
            Assert.That(exchange.Body, Is.Empty);
        });

    private void AssertHasProperties(params string[] names)
    {
        var body = JToken.Parse(Recorder.Last.Body);
        foreach (var obj in body is JArray array ? array.Cast<JObject>() : new[] { (JObject)body })
            Assert.That(obj.Properties().Select(p => p.Name), Is.SupersetOf(names), "required (nullable) properties are sent, as null when unset");
    }

    // =============================================================================================== Fluence

    [Test]
    public async Task FluencePlansAndDefaultImages()
    {
        var client = FluenceClient();
        var plans = await client.ListContainerPlansAsync();
        Strict<List<ContainerPlanItem>>();
        var vms = await client.ListVmPlansAsync();
        Strict<VmPlanList>();
        var bareMetal = await client.ListBareMetalPlansAsync();
        Strict<VmPlanList>();
        var images = await client.ListDefaultImagesAsync();
        Strict<List<DefaultImage>>();
        Assert.Multiple(() =>
        {
            Assert.That(plans, Has.Count.GreaterThanOrEqualTo(24));
            Assert.That(plans.Select(p => p.Plan!.Pricing!.Hour), Is.All.GreaterThan(0m));
            Assert.That(vms.Data.SelectMany(g => g.Availability_by_number!).SelectMany(a => a.Options!).Select(o => o.Deployment_type), Is.All.EqualTo("VM"));
            Assert.That(bareMetal.Data.SelectMany(g => g.Availability_by_number!).SelectMany(a => a.Options!).Select(o => o.Deployment_type), Is.All.EqualTo("BAREMETAL"));
            Assert.That(images.Select(i => i.Slug), Does.Contain("debian-ssh-11"));
        });
    }

    [Test]
    public async Task FluenceContainerOperations()
    {
        var client = FluenceClient();
        var plan = (await client.ListContainerPlansAsync()).Where(p => p.Attributes!.Location!.Contains("US")).OrderBy(p => p.Plan!.Pricing!.Hour).First().Plan!;
        var deployed = await client.DeployContainerInstanceAsync(new DeployContainerRequest
        {
            Plan_id = plan.Id,
            Name = "my-gpu-container",
            Container_settings = new ContainerSettings
            {
                Image = "docker.io/fluencelabs/debian-ssh-root:11",
                Expose = [new ExposedPort { Port = "22", Protocol = "tcp" }, new ExposedPort { Port = "80", Protocol = "http" }],
                Environment = [new EnvironmentVariable { Name = "MODEL_PATH", Value = "/models/llama" }],
                Startup_command = "python3 serve.py --port 8000",
            },
            Constraints = new PlacementConstraints { Location = "US" },
            Ssh_key = SshKeys.Ed25519(),
        });
        Strict<DeployResponse>();

        var initializing = await client.GetContainerInstanceAsync(deployed.Instance_id);
        Strict<ContainerInstanceDetail>();
        AssertHasProperties("network", "container_status", "billing");
        Advance(2);
        var active = await client.GetContainerInstanceAsync(deployed.Instance_id);
        Strict<ContainerInstanceDetail>();
        var list = await client.ListContainerInstancesAsync();
        Strict<List<ContainerInstance>>();
        AssertHasProperties("domain");
        var logs = await client.GetContainerInstanceLogsAsync(deployed.Instance_id, last: 1);
        Strict<List<string>>();
        var events = await client.GetContainerInstanceEventsAsync(deployed.Instance_id);
        Strict<List<string>>();

        await client.UpdateContainerInstanceAsync(deployed.Instance_id, new UpdateContainerRequest
        {
            Name = "my-updated-container",
            Container_settings = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
            Ssh_key = SshKeys.Ed25519(2),
        });
        AssertEmptyBody(Recorder.Last, 204);
        await client.DeleteContainerInstanceAsync(deployed.Instance_id);
        AssertEmptyBody(Recorder.Last, 204);
        var ended = await client.GetContainerInstanceAsync(deployed.Instance_id);
        Strict<ContainerInstanceDetail>();

        Assert.Multiple(() =>
        {
            Assert.That(initializing.Instance_status, Is.EqualTo("INITIALIZED"));
            Assert.That(initializing.Network, Is.Null);
            Assert.That(active.Instance_status, Is.EqualTo("ACTIVE"));
            Assert.That(active.Network!.Forwarded_ports!.Single().Port, Is.EqualTo("22"));
            Assert.That(active.Network.Uri, Is.Not.Null);
            Assert.That(active.Billing!.Next_billing_period, Is.Not.Null);
            Assert.That(active.Location, Is.EqualTo("US"));
            Assert.That(list.Single().Domain, Is.EqualTo(active.Network.Domain));
            Assert.That(logs, Has.Count.EqualTo(1));
            Assert.That(events, Is.Not.Empty);
            Assert.That(ended.Instance_status, Is.EqualTo("ENDED"));
            Assert.That(ended.Name, Is.EqualTo("my-updated-container"));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task FluenceVmAndBareMetalOperations(bool bareMetal)
    {
        var client = FluenceClient();
        var plans = bareMetal ? await client.ListBareMetalPlansAsync() : await client.ListVmPlansAsync();
        var option = plans.Data.SelectMany(g => g.Availability_by_number!).SelectMany(a => a.Options!).OrderBy(o => o.Pricing!.Hour).First();
        var request = new DeployVmRequest { Plan_id = option.Id, Name = "my-gpu-vm", Ssh_key = SshKeys.Ed25519(), Os_image = option.Os_options![0] };
        var deployed = bareMetal ? await client.DeployBareMetalInstanceAsync(request) : await client.DeployVmInstanceAsync(request);
        Strict<DeployResponse>();
        Advance(2);
        var detail = bareMetal ? await client.GetBareMetalInstanceAsync(deployed.Instance_id) : await client.GetVmInstanceAsync(deployed.Instance_id);
        Strict<VmInstanceDetail>();
        var list = bareMetal ? await client.ListBareMetalInstancesAsync() : await client.ListVmInstancesAsync();
        Strict<List<VmInstance>>();
        var rename = new RenameRequest { Name = "my-training-vm" };
        await (bareMetal ? client.RenameBareMetalInstanceAsync(deployed.Instance_id, rename) : client.RenameVmInstanceAsync(deployed.Instance_id, rename));
        AssertEmptyBody(Recorder.Last, 204);
        await (bareMetal ? client.DeleteBareMetalInstanceAsync(deployed.Instance_id) : client.DeleteVmInstanceAsync(deployed.Instance_id));
        AssertEmptyBody(Recorder.Last, 204);
        var ended = bareMetal ? await client.GetBareMetalInstanceAsync(deployed.Instance_id) : await client.GetVmInstanceAsync(deployed.Instance_id);
        Strict<VmInstanceDetail>();
        AssertHasProperties("ssh_connection", "network");

        Assert.Multiple(() =>
        {
            Assert.That(detail.Status, Is.EqualTo("ACTIVE"));
            Assert.That(detail.Availability, Is.EqualTo(bareMetal ? "baremetal" : "vm"));
            // The sandbox's VM answers SSH on a loopback listener, so its command carries -p (issue 19).
            Assert.That(detail.Ssh_connection, Does.Match($@"^ssh -p \d+ ubuntu@{System.Text.RegularExpressions.Regex.Escape(detail.Network!.Domain!)}$"));
            Assert.That(detail.Os_image, Is.EqualTo(option.Os_options![0]));
            Assert.That(detail.Location, Is.EqualTo(option.Location));
            Assert.That(list.Single().Status, Is.EqualTo("ACTIVE"));
            Assert.That(ended.Status, Is.EqualTo("ENDED"));
            Assert.That(ended.Name, Is.EqualTo("my-training-vm"));
        });
    }

    [Test]
    public async Task FluenceSshKeyOperations()
    {
        var client = FluenceClient();
        var a = await client.CreateSshKeyAsync(new CreateSshKeyRequest { Name = "my-key", PublicKey = SshKeys.Ed25519(1) });
        Strict<UserSshKey>();
        var b = await client.CreateSshKeyAsync(new CreateSshKeyRequest { Name = "other", PublicKey = SshKeys.Ed25519(2) });
        var c = await client.CreateSshKeyAsync(new CreateSshKeyRequest { Name = "third", PublicKey = SshKeys.Ed25519(3) });
        var page = await client.ListSshKeysAsync(page: 1, perPage: 2);
        Strict<SshKeyPage>();
        var filtered = await client.ListSshKeysAsync(ids: [a.Id, c.Id]);
        Strict<SshKeyPage>();
        var removed = (await client.DeleteSshKeysAsync(new DeleteSshKeysRequest { Ids = [a.Id] })).Single();
        Strict<List<UserSshKey>>();
        var bulk = await client.DeleteSshKeysAsync(new DeleteSshKeysRequest { Ids = [b.Id, c.Id] });
        Strict<List<UserSshKey>>();

        await client.CreateSshKeyAsync(new CreateSshKeyRequest { Name = "again", PublicKey = SshKeys.Ed25519(9) });
        var conflict = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() =>
            client.CreateSshKeyAsync(new CreateSshKeyRequest { Name = "dup", PublicKey = SshKeys.Ed25519(9) }));
        Strict<ApiError>();

        Assert.Multiple(() =>
        {
            Assert.That(page.Items.Select(k => k.Name), Is.EqualTo(new[] { "my-key", "other" }));
            Assert.That(page.Pagination.TotalPages, Is.EqualTo(2));
            Assert.That(filtered.Items.Select(k => k.Id), Is.EqualTo(new[] { a.Id, c.Id }));
            Assert.That(removed.Id, Is.EqualTo(a.Id));
            Assert.That(bulk.Select(k => k.Name), Is.EqualTo(new[] { "other", "third" }));
            Assert.That(conflict!.StatusCode, Is.EqualTo(409));
            Assert.That(conflict.Result.Code, Is.EqualTo("conflict"));
        });
    }

    [Test]
    public async Task FluenceErrorBodies()
    {
        var client = FluenceClient();
        var validation = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => client.DeployContainerInstanceAsync(new DeployContainerRequest
        {
            Plan_id = "x",
            Name = "Bad Name",
            Container_settings = new ContainerSettings { Image = "docker.io/x:1", Expose = [new ExposedPort { Port = "999999999" }] },
        }));
        var detail = Strict<ValidationError>();
        Strict<ErrorResponse>();

        var business = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => client.DeployVmInstanceAsync(new DeployVmRequest
        {
            Plan_id = Guid.NewGuid().ToString(), Name = "vm", Ssh_key = SshKeys.Ed25519(), Os_image = "ubuntu",
        }));
        Strict<ErrorDetail>();

        var notFound = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => client.GetVmInstanceAsync(Guid.NewGuid().ToString()));
        Strict<ErrorDetail>();

        var badId = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => client.GetContainerInstanceLogsAsync("nope"));
        Strict<ValidationError>();

        Assert.Multiple(() =>
        {
            Assert.That(validation!.StatusCode, Is.EqualTo(422));
            Assert.That(detail.Detail!.Select(d => d.Type), Is.EquivalentTo(new[] { "string_pattern_mismatch", "value_error" }));
            Assert.That(business!.StatusCode, Is.EqualTo(400));
            Assert.That(business.Result.Detail, Is.InstanceOf<string>());
            Assert.That(notFound!.StatusCode, Is.EqualTo(404));
            Assert.That(badId!.StatusCode, Is.EqualTo(422));
        });

        var http = NewClient(Recorder, disposeHandler: false);
        var anonymous = new FluenceClient(http) { BaseUrl = Server.FluenceBaseUrl.ToString() };
        Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => anonymous.ListVmPlansAsync());
        Strict<AuthError>();
        Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => anonymous.ListSshKeysAsync());
        Strict<ApiError>();
    }

    // ================================================================================ Fluidstack management

    [Test]
    public async Task FluidstackManagementOperations()
    {
        var management = ManagementClient();
        var regions = await management.ListRegionsAsync();
        Strict<List<Mgmt.Region>>();
        await management.ListClustersAsync();
        Strict<List<Mgmt.Cluster>>();
        await management.ListOrganizationsAsync();
        Strict<List<Mgmt.Organization>>();
        var members = await management.ListMembersAsync();
        Strict<List<Mgmt.OrganizationMember>>();
        await management.UpdateMemberAsync(members[0].Id, new Mgmt.Body { Role = "editor" });
        await management.CreateInvitationAsync(new Mgmt.Body2 { Email = "new@example.invalid", Role = "viewer" });
        AssertEmptyBody(Recorder.Last, 201);
        var invitations = await management.ListInvitationsAsync();
        Strict<List<Mgmt.Invitation>>();
        await management.DeleteInvitationAsync(invitations[0].Id);
        AssertEmptyBody(Recorder.Last, 204);

        var infra = InfrastructureClient(regions[1].Name);
        infra.BaseUrl = regions[1].Url + "/api/v1alpha1";
        var created = await infra.CreateInstanceAsync(Server.FluidstackProjectId, new Infra.InstancesPostRequest { Name = "n1", Type = "cpu.2x" });
        var all = await management.ListInstancesAsync();
        Strict<List<Mgmt.Instance>>();
        var mine = await management.ListInstancesAsync(Server.FluidstackProjectId);
        Strict<List<Mgmt.Instance>>();
        var one = await management.GetInstanceAsync(created.Id);
        Strict<Mgmt.Instance>();
        AssertHasProperties("ip", "project_id", "region");

        var key = SshKeys.Ed25519(31);
        await management.RegisterKeyAsync(new Mgmt.SSHKey { Name = "key-1", Key = key });
        AssertEmptyBody(Recorder.Last, 200);
        var keys = await management.ListKeysAsync();
        Strict<List<Mgmt.SSHKey>>();
        var conflict = Assert.ThrowsAsync<Mgmt.FluidstackManagementApiException<Mgmt.Error>>(() =>
            management.RegisterKeyAsync(new Mgmt.SSHKey { Name = "key-1", Key = SshKeys.Ed25519(32) }));
        Strict<Mgmt.Error>();
        await management.DeregisterKeyAsync("key-1");
        AssertEmptyBody(Recorder.Last, 204);
        var missing = Assert.ThrowsAsync<Mgmt.FluidstackManagementApiException<Mgmt.Error>>(() => management.GetInstanceAsync(Guid.NewGuid()));
        Strict<Mgmt.Error>();
        var missingKey = Assert.ThrowsAsync<Mgmt.FluidstackManagementApiException<Mgmt.Error>>(() => management.DeregisterKeyAsync("key-1"));
        Strict<Mgmt.Error>();

        Assert.Multiple(() =>
        {
            Assert.That(regions.Select(r => r.Name), Is.EqualTo(new[] { EuNorth, UsEast }));
            Assert.That(all.Single().Region, Is.EqualTo(UsEast));
            Assert.That(mine.Single().Project_id, Is.EqualTo(Server.FluidstackProjectId.ToString()));
            Assert.That(one.State, Is.EqualTo("creating"));
            Assert.That(keys.Single().Key, Is.EqualTo(key));
            Assert.That(conflict!.StatusCode, Is.EqualTo(409));
            Assert.That(missing!.StatusCode, Is.EqualTo(404));
            Assert.That(missingKey!.StatusCode, Is.EqualTo(404));
        });
    }

    // ============================================================================ Fluidstack infrastructure

    [TestCase(EuNorth)]
    [TestCase(UsEast)]
    public async Task FluidstackInfrastructureOperations(string region)
    {
        var infra = InfrastructureClient(region);
        var project = Server.FluidstackProjectId;

        var types = await infra.ListInstanceTypesAsync();
        Strict<List<Infra.InstanceType>>();
        var capacity = await infra.ListCapacityAsync(project);
        Strict<List<Infra.ListCapacity_200_response_inner>>();
        var capabilities = await infra.ListCapabilitiesAsync();
        Strict<List<string>>();

        var projects = await infra.ListProjectsAsync();
        Strict<List<Infra.Project>>();
        var newProject = await infra.CreateProjectAsync(new Infra.ProjectsPostRequest { Name = "project-1", Tags = new Dictionary<string, string> { ["team"] = "ml-ops" } });
        Strict<Infra.Project>();
        await infra.GetProjectAsync(newProject.Id);
        Strict<Infra.Project>();
        await infra.DeleteProjectAsync(newProject.Id);
        AssertEmptyBody(Recorder.Last, 204);

        var fs = await infra.CreateFilesystemAsync(project, new Infra.FilesystemsPostRequest { Name = "fs-1", Size = "512Gi" });
        Strict<Infra.Filesystem>();
        await infra.ListFilesystemsAsync(project);
        Strict<List<Infra.Filesystem>>();
        await infra.GetFilesystemAsync(project, fs.Id);
        Strict<Infra.Filesystem>();

        var userData = Encoding.UTF8.GetBytes("#cloud-config\nssh_authorized_keys:\n  - " + SshKeys.Ed25519() + "\n");
        var type = types.First(t => (t.GpuCount ?? t.Gpu_count) is > 0);
        var created = await infra.CreateInstanceAsync(project, new Infra.InstancesPostRequest
        {
            Name = "instance-1",
            Type = type.Name,
            UserData = userData,
            Filesystems = [fs.Id],
            Tags = new Dictionary<string, string> { ["environment"] = "production" },
        });
        Strict<Infra.Instance>();
        AssertHasProperties("ip", "userData", "filesystems", "tags");
        Advance(2);
        var running = await infra.GetInstanceAsync(project, created.Id);
        Strict<Infra.Instance>();
        var list = await infra.ListInstancesAsync(project);
        Strict<List<Infra.Instance>>();

        await infra.StopInstanceAsync(project, created.Id);
        AssertEmptyBody(Recorder.Last, 202);
        var conflict = Assert.ThrowsAsync<Infra.FluidstackInfrastructureApiException<Infra.Error>>(() => infra.StopInstanceAsync(project, created.Id));
        Strict<Infra.Error>();
        Advance(2);
        await infra.StartInstanceAsync(project, created.Id);
        AssertEmptyBody(Recorder.Last, 202);
        Advance(2);
        await infra.DeleteInstanceAsync(project, created.Id);
        AssertEmptyBody(Recorder.Last, 204);
        var deleting = await infra.GetInstanceAsync(project, created.Id);
        Strict<Infra.Instance>();
        Advance(2);
        var gone = Assert.ThrowsAsync<Infra.FluidstackInfrastructureApiException<Infra.Error>>(() => infra.GetInstanceAsync(project, created.Id));
        Strict<Infra.Error>();
        await infra.DeleteFilesystemAsync(project, fs.Id);
        AssertEmptyBody(Recorder.Last, 204);

        await infra.ListKubernetesClustersAsync(project);
        Strict<List<Infra.KubernetesCluster>>();
        await infra.ListSlurmClustersAsync(project);
        Strict<List<Infra.SlurmCluster>>();

        var invalid = Assert.ThrowsAsync<Infra.FluidstackInfrastructureApiException<Infra.Error>>(() =>
            infra.CreateInstanceAsync(project, new Infra.InstancesPostRequest { Name = "x", Type = "no-such-type" }));
        Strict<Infra.Error>();
        var forbidden = Assert.ThrowsAsync<Infra.FluidstackInfrastructureApiException<Infra.Error>>(() => infra.ListInstancesAsync(Guid.NewGuid()));
        Strict<Infra.Error>();

        Assert.Multiple(() =>
        {
            Assert.That(types.Select(t => t.Name), Does.Contain("h100-hgx-80gb.8x"));
            Assert.That(region == UsEast ? type.Gpu_model : type.GpuModel, Is.Not.Null);
            Assert.That(capacity.Select(c => c.Name), Is.EquivalentTo(types.Select(t => t.Name)));
            Assert.That(capabilities, Does.Contain("instances:create"));
            Assert.That(projects.Single().Id, Is.EqualTo(project));
            Assert.That(created.State, Is.EqualTo("creating"));
            Assert.That(running.State, Is.EqualTo("running"));
            Assert.That(running.Ip, Is.Not.Null);
            Assert.That(running.UserData, Is.EqualTo(userData));
            Assert.That(running.Filesystems, Is.EqualTo(new[] { fs.Id }));
            Assert.That(list.Single().Id, Is.EqualTo(created.Id));
            Assert.That(conflict!.StatusCode, Is.EqualTo(409));
            Assert.That(deleting.State, Is.EqualTo("deleting"));
            Assert.That(gone!.StatusCode, Is.EqualTo(404));
            Assert.That(invalid!.StatusCode, Is.EqualTo(400));
            Assert.That(forbidden!.StatusCode, Is.EqualTo(403));
        });
    }

    [Test]
    public async Task OutOfStockAndErrorInstancesKeepTheShape()
    {
        Server.SetFluidstackCapacity(EuNorth, "cpu.2x", 0);
        var infra = InfrastructureClient();
        var created = await infra.CreateInstanceAsync(Server.FluidstackProjectId, new Infra.InstancesPostRequest { Name = "oos", Type = "cpu.2x" });
        Advance(2);
        var outOfStock = await infra.GetInstanceAsync(Server.FluidstackProjectId, created.Id);
        Strict<Infra.Instance>();
        AssertHasProperties("ip", "userData");
        Assert.Multiple(() =>
        {
            Assert.That(outOfStock.State, Is.EqualTo("out-of-stock"));
            Assert.That(outOfStock.Ip, Is.Null);
            Assert.That(outOfStock.UserData, Is.Null);
        });
    }

    [Test]
    public async Task OAuthTokenResponseHasExactlyTheDocumentedFields()
    {
        var response = await Http.PostAsync(Server.FluidstackTokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Server.FluidstackClientId,
            ["client_secret"] = Server.FluidstackClientSecret,
            ["audience"] = Server.FluidstackAudience,
        }));
        var body = (JObject)await ExpectAsync(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(body.Properties().Select(p => (p.Name, p.Value.Type)), Is.EqualTo(new[]
            {
                ("access_token", JTokenType.String), ("token_type", JTokenType.String), ("expires_in", JTokenType.Integer),
            }));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        });

        var infra = InfrastructureClient(UsEast, (string)body["access_token"]!);
        Assert.That(await infra.ListInstanceTypesAsync(), Is.Not.Empty);
    }

    [Test]
    public void TheStrictCheckRejectsFieldsTheSpecDoesNotDefine()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => StrictJson.Deserialize<Infra.Instance>(
                "{\"id\":\"550e8400-e29b-41d4-a716-446655440000\",\"name\":\"a\",\"type\":\"t\",\"ip\":null,\"state\":\"running\",\"image\":\"i\"," +
                "\"preemptible\":false,\"ephemeral\":false,\"userData\":null,\"filesystems\":[],\"tags\":{},\"region\":\"eu\"}"),
                Throws.TypeOf<AssertionException>().With.Message.Contains("region"));
            Assert.That(() => StrictJson.Deserialize<Infra.Instance>("{\"id\":\"550e8400-e29b-41d4-a716-446655440000\"}"),
                Throws.TypeOf<AssertionException>(), "required properties must be present");
            Assert.That(() => StrictJson.Deserialize<UserSshKey>(
                "{\"ID\":\"550e8400-e29b-41d4-a716-446655440000\",\"userId\":\"550e8400-e29b-41d4-a716-446655440000\",\"name\":\"n\",\"publicKey\":\"k\",\"algorithm\":\"a\",\"fingerprint\":\"f\"}"),
                Throws.TypeOf<AssertionException>(), "names are case-sensitive");
            Assert.That(() => StrictJson.Deserialize<ContainerPlanItem>("{\"plan\":{\"id\":\"x\",\"gpu_model\":{\"vendor\":\"nvidia\",\"memory\":\"80Gi\"}}}"),
                Throws.TypeOf<AssertionException>().With.Message.Contains("memory"), "nested objects are checked");
        });
    }
}
