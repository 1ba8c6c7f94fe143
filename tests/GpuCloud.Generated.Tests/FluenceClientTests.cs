using System.Net;
using GpuCloud.Generated.Fluence;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// FluenceClient (specs/fluence.openapi.yaml) against a mocked https://api.fluence.dev: every operation's
/// request, the parsing of the documented examples, and the documented error statuses.
/// </summary>
[TestFixture]
public class FluenceClientTests
{
    private const string Base = "https://api.fluence.dev";
    private const string ApiKeyHeader = "X-API-KEY";
    private const string ApiKey = "test-key";

    private const string ContainerId = "b54672e2-0a8b-490f-81ee-7d5a868471fc";
    private const string VmId = "05cdd5fc-d384-4fbc-8861-5e3e2a66397c";
    private const string BareMetalId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private static readonly Guid SshKeyId = Guid.Parse("9b2f4c3e-6d1a-4f5b-8c7d-0e1f2a3b4c5d");
    private static readonly Guid OtherSshKeyId = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    /// <summary>No bare-metal example is documented: "same shape as listVmPlans; options carry deployment_type BAREMETAL".</summary>
    private static readonly string BareMetalPlans = FluenceExamples.VmPlans.Replace("\"VM\"", "\"BAREMETAL\"", StringComparison.Ordinal);

    /// <summary>No bare-metal detail example is documented: "same shape as getVmInstance; availability is baremetal".</summary>
    private static readonly string BareMetalInstance = FluenceExamples.VmInstanceActive.Replace("\"vm\"", "\"baremetal\"", StringComparison.Ordinal);

    // ------------------------------------------------------------------------------------- request bodies

    /// <summary>The "full" deploy example, built through the generated DTOs.</summary>
    private static DeployContainerRequest FullDeployRequest() => new()
    {
        Plan_id = "075e40d4-2766-4347-833b-205245fe3629",
        Name = "my-gpu-container",
        Container_settings = new ContainerSettings
        {
            Image = "docker.io/fluencelabs/debian-ssh-root:11",
            Expose =
            [
                new ExposedPort { Port = "22", Protocol = "tcp" },
                new ExposedPort { Port = "80", Protocol = "http" },
                new ExposedPort { Port = "443" }, // protocol defaults to tcp
                new ExposedPort { Port = "8000" },
            ],
            Environment = [new EnvironmentVariable { Name = "MODEL_PATH", Value = "/models/llama" }],
            Startup_command = "python3 serve.py --port 8000",
        },
        Constraints = new PlacementConstraints { Location = "US" },
        Ssh_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... user@host",
    };

    /// <summary>The "minimal" deploy example: no environment, startup command, constraints or credentials.</summary>
    private static DeployContainerRequest MinimalDeployRequest() => new()
    {
        Plan_id = "075e40d4-2766-4347-833b-205245fe3629",
        Name = "my-gpu-container",
        Container_settings = new ContainerSettings
        {
            Image = "docker.io/fluencelabs/debian-ssh-root:11",
            Expose = [new ExposedPort { Port = "22", Protocol = "tcp" }, new ExposedPort { Port = "80", Protocol = "http" }],
        },
        Ssh_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... user@host",
    };

    private static UpdateContainerRequest UpdateRequest() => new()
    {
        Name = "my-updated-container",
        Container_settings = new ContainerSettings
        {
            Image = "docker.io/fluencelabs/debian-ssh-root:11",
            Environment = [new EnvironmentVariable { Name = "MODEL_PATH", Value = "/models/llama-v2" }],
            Startup_command = "python3 serve.py --port 8000",
        },
        Ssh_key = "ssh-ed25519 AAAAC3... user@host",
    };

    private static DeployVmRequest DeployVmRequest() => new()
    {
        Plan_id = "e5f00ba8-268e-4279-9672-eabca860f19e",
        Name = "my-gpu-vm",
        Ssh_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... user@host",
        Os_image = "Ubuntu Server 22.04",
    };

    private static CreateSshKeyRequest CreateSshKeyRequest() => new()
    {
        Name = "my-key",
        PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKgJIjnDg1DjqOOxINs78oU3f7PJXIyq9uiNocNVhXNx user@example.com",
    };

    // ---------------------------------------------------------------------------------- operations table

    private static IEnumerable<OperationCase<IFluenceClient>> OperationCases()
    {
        // Plans
        yield return new() { Operation = nameof(IFluenceClient.ListContainerPlansAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/plans/", Call = c => c.ListContainerPlansAsync(), ResponseBody = FluenceExamples.ContainerPlans };
        yield return new() { Operation = nameof(IFluenceClient.ListVmPlansAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/plans/vms", Call = c => c.ListVmPlansAsync(), ResponseBody = FluenceExamples.VmPlans };
        yield return new() { Operation = nameof(IFluenceClient.ListBareMetalPlansAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/plans/baremetal", Call = c => c.ListBareMetalPlansAsync(), ResponseBody = BareMetalPlans };
        yield return new() { Operation = nameof(IFluenceClient.ListDefaultImagesAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/default-images/", Call = c => c.ListDefaultImagesAsync(), ResponseBody = FluenceExamples.DefaultImages };

        // Container instances
        yield return new() { Operation = nameof(IFluenceClient.ListContainerInstancesAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/", Call = c => c.ListContainerInstancesAsync(), ResponseBody = FluenceExamples.ContainerInstances };
        yield return new() { Operation = nameof(IFluenceClient.DeployContainerInstanceAsync), Variant = "full example, 200", Method = HttpMethod.Post, Url = $"{Base}/gpu/instances/", Call = c => c.DeployContainerInstanceAsync(FullDeployRequest()), RequestBody = FluenceExamples.DeployContainerRequestFull, ResponseBody = FluenceExamples.DeployResponse };
        yield return new() { Operation = nameof(IFluenceClient.DeployContainerInstanceAsync), Variant = "minimal example, 201", Method = HttpMethod.Post, Url = $"{Base}/gpu/instances/", Call = c => c.DeployContainerInstanceAsync(MinimalDeployRequest()), RequestBody = FluenceExamples.DeployContainerRequestMinimal, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluenceExamples.DeployResponse };
        yield return new() { Operation = nameof(IFluenceClient.GetContainerInstanceAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/{ContainerId}", Call = c => c.GetContainerInstanceAsync(ContainerId), ResponseBody = FluenceExamples.ContainerInstanceActive };
        yield return new() { Operation = nameof(IFluenceClient.UpdateContainerInstanceAsync), Method = HttpMethod.Put, Url = $"{Base}/gpu/instances/{ContainerId}", Call = c => c.UpdateContainerInstanceAsync(ContainerId, UpdateRequest()), RequestBody = FluenceExamples.UpdateContainerRequest, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluenceClient.DeleteContainerInstanceAsync), Method = HttpMethod.Delete, Url = $"{Base}/gpu/instances/{ContainerId}", Call = c => c.DeleteContainerInstanceAsync(ContainerId), ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluenceClient.GetContainerInstanceLogsAsync), Variant = "last=5", Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/{ContainerId}/logs?last=5", Call = c => c.GetContainerInstanceLogsAsync(ContainerId, 5), ResponseBody = FluenceExamples.Logs };
        yield return new() { Operation = nameof(IFluenceClient.GetContainerInstanceLogsAsync), Variant = "all", Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/{ContainerId}/logs", Call = c => c.GetContainerInstanceLogsAsync(ContainerId), ResponseBody = FluenceExamples.Logs };
        yield return new() { Operation = nameof(IFluenceClient.GetContainerInstanceEventsAsync), Variant = "last=5", Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/{ContainerId}/events?last=5", Call = c => c.GetContainerInstanceEventsAsync(ContainerId, 5), ResponseBody = FluenceExamples.Events };
        yield return new() { Operation = nameof(IFluenceClient.GetContainerInstanceEventsAsync), Variant = "all", Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/{ContainerId}/events", Call = c => c.GetContainerInstanceEventsAsync(ContainerId), ResponseBody = FluenceExamples.Events };

        // VM instances
        yield return new() { Operation = nameof(IFluenceClient.ListVmInstancesAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/vms", Call = c => c.ListVmInstancesAsync(), ResponseBody = FluenceExamples.VmInstances };
        yield return new() { Operation = nameof(IFluenceClient.DeployVmInstanceAsync), Method = HttpMethod.Post, Url = $"{Base}/gpu/instances/vms", Call = c => c.DeployVmInstanceAsync(DeployVmRequest()), RequestBody = FluenceExamples.DeployVmRequest, ResponseBody = FluenceExamples.DeployResponse };
        yield return new() { Operation = nameof(IFluenceClient.GetVmInstanceAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/vms/{VmId}", Call = c => c.GetVmInstanceAsync(VmId), ResponseBody = FluenceExamples.VmInstanceActive };
        yield return new() { Operation = nameof(IFluenceClient.RenameVmInstanceAsync), Method = HttpMethod.Put, Url = $"{Base}/gpu/instances/vms/{VmId}", Call = c => c.RenameVmInstanceAsync(VmId, new RenameRequest { Name = "my-training-vm" }), RequestBody = FluenceExamples.RenameRequest, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluenceClient.DeleteVmInstanceAsync), Method = HttpMethod.Delete, Url = $"{Base}/gpu/instances/vms/{VmId}", Call = c => c.DeleteVmInstanceAsync(VmId), ResponseStatus = HttpStatusCode.NoContent };

        // Bare-metal instances
        yield return new() { Operation = nameof(IFluenceClient.ListBareMetalInstancesAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/baremetal", Call = c => c.ListBareMetalInstancesAsync(), ResponseBody = FluenceExamples.VmInstances };
        yield return new() { Operation = nameof(IFluenceClient.DeployBareMetalInstanceAsync), Method = HttpMethod.Post, Url = $"{Base}/gpu/instances/baremetal", Call = c => c.DeployBareMetalInstanceAsync(DeployVmRequest()), RequestBody = FluenceExamples.DeployVmRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluenceExamples.DeployResponse };
        yield return new() { Operation = nameof(IFluenceClient.GetBareMetalInstanceAsync), Method = HttpMethod.Get, Url = $"{Base}/gpu/instances/baremetal/{BareMetalId}", Call = c => c.GetBareMetalInstanceAsync(BareMetalId), ResponseBody = BareMetalInstance };
        yield return new() { Operation = nameof(IFluenceClient.RenameBareMetalInstanceAsync), Method = HttpMethod.Put, Url = $"{Base}/gpu/instances/baremetal/{BareMetalId}", Call = c => c.RenameBareMetalInstanceAsync(BareMetalId, new RenameRequest { Name = "my-training-vm" }), RequestBody = FluenceExamples.RenameRequest, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluenceClient.DeleteBareMetalInstanceAsync), Method = HttpMethod.Delete, Url = $"{Base}/gpu/instances/baremetal/{BareMetalId}", Call = c => c.DeleteBareMetalInstanceAsync(BareMetalId), ResponseStatus = HttpStatusCode.NoContent };

        // Account SSH keys (/v1)
        yield return new() { Operation = nameof(IFluenceClient.ListSshKeysAsync), Variant = "page=1&perPage=50", Method = HttpMethod.Get, Url = $"{Base}/v1/ssh_keys?page=1&perPage=50", Call = c => c.ListSshKeysAsync(page: 1, perPage: 50), ResponseBody = FluenceExamples.SshKeyPage };
        yield return new() { Operation = nameof(IFluenceClient.ListSshKeysAsync), Variant = "ids repeated", Method = HttpMethod.Get, Url = $"{Base}/v1/ssh_keys?ids={SshKeyId}&ids={OtherSshKeyId}", Call = c => c.ListSshKeysAsync(ids: [SshKeyId, OtherSshKeyId]), ResponseBody = FluenceExamples.SshKeyPage };
        yield return new() { Operation = nameof(IFluenceClient.ListSshKeysAsync), Variant = "no query", Method = HttpMethod.Get, Url = $"{Base}/v1/ssh_keys", Call = c => c.ListSshKeysAsync(), ResponseBody = FluenceExamples.SshKeyPage };
        yield return new() { Operation = nameof(IFluenceClient.CreateSshKeyAsync), Method = HttpMethod.Post, Url = $"{Base}/v1/ssh_keys", Call = c => c.CreateSshKeyAsync(CreateSshKeyRequest()), RequestBody = FluenceExamples.CreateSshKeyRequest, ResponseBody = FluenceExamples.SshKey };
        yield return new() { Operation = nameof(IFluenceClient.DeleteSshKeysAsync), Method = HttpMethod.Post, Url = $"{Base}/v1/ssh_keys/delete", Call = c => c.DeleteSshKeysAsync(new DeleteSshKeysRequest { Ids = [SshKeyId, OtherSshKeyId] }), RequestBody = $$"""{"ids": ["{{SshKeyId}}", "{{OtherSshKeyId}}"]}""", ResponseBody = $"[{FluenceExamples.SshKey}]" };
    }

    private static IEnumerable<TestCaseData> Operations() =>
        OperationCases().Select(o => new TestCaseData(o).SetArgDisplayNames(o.ToString()));

    [Test]
    public void Operations_table_covers_every_method_of_IFluenceClient()
    {
        var declared = typeof(IFluenceClient).GetMethods().Select(m => m.Name).ToList();
        var covered = OperationCases().Select(o => o.Operation).Distinct().ToList();

        Assert.That(covered, Is.EquivalentTo(declared));
    }

    [TestCaseSource(nameof(Operations))]
    public async Task Sends_the_documented_request_with_the_api_key(OperationCase<IFluenceClient> operation)
    {
        var request = await Mock.RunAsync(operation, http => new FluenceClient(http), h => h.Add(ApiKeyHeader, ApiKey), ApiKeyHeader, ApiKey);

        Mock.AssertMatches(request, operation, ApiKeyHeader, ApiKey);
    }

    [Test]
    public async Task Deploy_container_body_uses_the_documented_snake_case_field_names()
    {
        var request = await Mock.RunAsync(OperationCases().First(o => o.Operation == nameof(IFluenceClient.DeployContainerInstanceAsync)), http => new FluenceClient(http), h => h.Add(ApiKeyHeader, ApiKey), ApiKeyHeader, ApiKey);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Mock.PropertyNames(request.Body!), Is.EquivalentTo(new[] { "plan_id", "name", "container_settings", "constraints", "ssh_key" }));
            Assert.That(Mock.PropertyNames(request.Body!, "container_settings"), Is.EquivalentTo(new[] { "image", "expose", "environment", "startup_command" }), "null credentials are left out");
            Assert.That(JObject.Parse(request.Body!).SelectToken("container_settings.expose[2].protocol")?.Value<string>(), Is.EqualTo("tcp"), "ExposedPort.protocol defaults to tcp");
        }
    }

    [Test]
    public async Task Path_parameters_are_escaped()
    {
        using var mock = Mock.CreateHandler();
        var log = new List<RecordedRequest>();
        mock.Expect(HttpMethod.Get, $"{Base}/gpu/instances/a%20b%2Fc").RespondAndRecord(log, HttpStatusCode.OK, FluenceExamples.ContainerInstanceActive);
        using var http = mock.ToHttpClient();

        await new FluenceClient(http).GetContainerInstanceAsync("a b/c");

        mock.VerifyNoOutstandingExpectation();
        Assert.That(log.Single().Uri.AbsoluteUri, Is.EqualTo($"{Base}/gpu/instances/a%20b%2Fc"));
    }

    [Test]
    public void Base_url_defaults_to_the_documented_host()
    {
        using var http = new HttpClient();

        Assert.That(new FluenceClient(http).BaseUrl, Is.EqualTo("https://api.fluence.dev/"));
    }

    // --------------------------------------------------------------------------------------- parsing

    private static (FluenceClient Client, MockHttpMessageHandler Mock, HttpClient Http) Respond(string path, string body, HttpStatusCode status = HttpStatusCode.OK)
    {
        var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, Base + path).Respond(status, Mock.Json, body);
        var http = mock.ToHttpClient();
        return (new FluenceClient(http), mock, http);
    }

    private static async Task<T> GetAsync<T>(string path, string body, Func<FluenceClient, Task<T>> call)
    {
        var (client, mock, http) = Respond(path, body);
        using (mock)
        using (http)
        {
            var result = await call(client);
            mock.VerifyNoOutstandingExpectation();
            return result;
        }
    }

    [Test]
    public async Task Container_plans_example_parses_with_decimal_prices()
    {
        var plans = await GetAsync("/gpu/plans/", FluenceExamples.ContainerPlans, c => c.ListContainerPlansAsync());

        Assert.That(plans, Has.Count.EqualTo(2));
        var plan = plans[0].Plan!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Id, Is.EqualTo("36cdb646-1246-42d8-b2d1-9480ca546536"));
            Assert.That(plan.Name, Is.EqualTo("h200-141gi-sxm-1gpu-16cpu-128gi-120gi"));
            Assert.That(plan.Supply!.Vcpu!.Count, Is.EqualTo(16));
            Assert.That(plan.Supply.Memory!.Count, Is.EqualTo(128));
            Assert.That(plan.Supply.Memory.Units, Is.EqualTo("Gi"));
            Assert.That(plan.Supply.Storage!.Count, Is.EqualTo(120));
            Assert.That(plan.Supply.Gpu_count, Is.EqualTo(1));
            Assert.That(plan.Gpu_model!.Vendor, Is.EqualTo("nvidia"));
            Assert.That(plan.Gpu_model.Model, Is.EqualTo("h200"));
            Assert.That(plan.Gpu_model.Vram, Is.EqualTo("141Gi"));
            Assert.That(plan.Gpu_model.Interface, Is.EqualTo("SXM"));
            Assert.That(plan.Pricing!.Hour, Is.EqualTo(2.96m));
            Assert.That(plan.Pricing.Upfront_hours, Is.EqualTo(3));
            Assert.That(plan.Pricing.Currency, Is.EqualTo("USDC"));
            Assert.That(plans[0].Attributes!.Location, Is.EqualTo(new[] { "US" }));
            Assert.That(plans[1].Plan!.Pricing!.Hour, Is.EqualTo(1.22m));
        }
    }

    [Test]
    public async Task Vm_plans_example_parses_the_nested_groups_and_options()
    {
        var list = await GetAsync("/gpu/plans/vms", FluenceExamples.VmPlans, c => c.ListVmPlansAsync());

        Assert.That(list.Data, Has.Count.EqualTo(2));
        var a10 = list.Data[0];
        var byNumber = a10.Availability_by_number!.Single();
        var option = byNumber.Options![0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a10.Gpu_model!.Model, Is.EqualTo("a10"));
            Assert.That(a10.Gpu_model.Interface, Is.EqualTo("pcie"));
            Assert.That(a10.Minimum_price, Is.EqualTo(0.99m));
            Assert.That(byNumber.Gpu_count, Is.EqualTo(1));
            Assert.That(byNumber.Minimum_price, Is.EqualTo(0.99m));
            Assert.That(byNumber.Options_available_total, Is.EqualTo(2));
            Assert.That(byNumber.Providers_available_total, Is.EqualTo(1));
            Assert.That(byNumber.Data_center_available_total, Is.EqualTo(2));
            Assert.That(byNumber.Locations, Is.EqualTo(new[] { "dulles-usa-1", "sanjose-usa-2" }));
            Assert.That(byNumber.Providers, Is.EqualTo(new[] { "sesterce" }));
            Assert.That(byNumber.Options, Has.Count.EqualTo(2));
            Assert.That(option.Id, Is.EqualTo("3f6cd2d1-19ac-49fb-95a5-9088bb2dcb49"));
            Assert.That(option.Location, Is.EqualTo("sanjose-usa-2"));
            Assert.That(option.Provider, Is.EqualTo("sesterce"));
            Assert.That(option.Vcpu!.Count, Is.EqualTo(30));
            Assert.That(option.Memory!.Count, Is.EqualTo(186));
            Assert.That(option.Storage!.Count, Is.EqualTo(1303));
            Assert.That(option.Deployment_type, Is.EqualTo("VM"));
            Assert.That(option.Pricing!.Hour, Is.EqualTo(0.99m));
            Assert.That(option.Nvlink, Is.False);
            Assert.That(option.Os_options, Is.EqualTo(new[] { "ubuntu22.04_cuda12.4_shade_os" }));
            Assert.That(list.Data[1].Minimum_price, Is.EqualTo(1.07m));
            Assert.That(list.Data[1].Availability_by_number![0].Locations, Has.Count.EqualTo(7));
            Assert.That(list.Data[1].Availability_by_number![0].Options![0].Os_options, Is.EqualTo(new[] { "Ubuntu Server 22.04" }));
        }
    }

    [Test]
    public async Task Bare_metal_plans_parse_with_the_BAREMETAL_deployment_type()
    {
        var list = await GetAsync("/gpu/plans/baremetal", BareMetalPlans, c => c.ListBareMetalPlansAsync());

        Assert.That(list.Data.SelectMany(g => g.Availability_by_number!).SelectMany(a => a.Options!).Select(o => o.Deployment_type), Is.All.EqualTo("BAREMETAL"));
    }

    [TestCase("SXM")]
    [TestCase("sxm")]
    [TestCase("PCIE")]
    [TestCase("pcie")]
    public async Task Gpu_interface_is_kept_verbatim_in_either_case(string value)
    {
        var plans = await GetAsync("/gpu/plans/", FluenceExamples.ContainerPlans.Replace("\"SXM\"", $"\"{value}\"", StringComparison.Ordinal), c => c.ListContainerPlansAsync());
        var vmPlans = await GetAsync("/gpu/plans/vms", FluenceExamples.VmPlans.Replace("\"pcie\"", $"\"{value}\"", StringComparison.Ordinal), c => c.ListVmPlansAsync());
        var instances = await GetAsync("/gpu/instances/", FluenceExamples.ContainerInstances.Replace("\"sxm\"", $"\"{value}\"", StringComparison.Ordinal), c => c.ListContainerInstancesAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plans.Select(p => p.Plan!.Gpu_model!.Interface), Is.All.EqualTo(value));
            Assert.That(vmPlans.Data.Select(g => g.Gpu_model!.Interface), Is.All.EqualTo(value));
            Assert.That(instances.Select(i => i.Resources!.Gpu_model!.Interface), Is.All.EqualTo(value));
        }
    }

    [Test]
    public async Task Default_images_example_parses()
    {
        var images = await GetAsync("/gpu/default-images/", FluenceExamples.DefaultImages, c => c.ListDefaultImagesAsync());

        var image = images.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(image.Slug, Is.EqualTo("debian-ssh-11"));
            Assert.That(image.Name, Is.EqualTo("Debian SSH 11"));
            Assert.That(image.Description, Is.Null);
            Assert.That(image.Image, Is.EqualTo("docker.io/fluencelabs/debian-ssh-root:11"));
            Assert.That(image.Expose!.Single().Port, Is.EqualTo("22"));
            Assert.That(image.Environment, Is.Empty);
            Assert.That(image.Startup_command, Is.Null);
            Assert.That(image.Requires_ssh, Is.True);
        }
    }

    [Test]
    public async Task Container_instance_list_parses_active_and_ended_instances()
    {
        var instances = await GetAsync("/gpu/instances/", FluenceExamples.ContainerInstances, c => c.ListContainerInstancesAsync());

        Assert.That(instances, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances[0].Id, Is.EqualTo("b54672e2-0a8b-490f-81ee-7d5a868471fc"));
            Assert.That(instances[0].Name, Is.EqualTo("fuchsia-hawk-4706"));
            Assert.That(instances[0].Instance_status, Is.EqualTo("ACTIVE"));
            Assert.That(instances[0].Domain, Is.EqualTo("provider.a100.pub"));
            Assert.That(instances[0].Location, Is.EqualTo("US"));
            Assert.That(instances[0].Resources!.Supply!.Gpu_count, Is.EqualTo(1));
            Assert.That(instances[0].Resources!.Gpu_model!.Model, Is.EqualTo("a100"));
            Assert.That(instances[0].Created_at, Is.EqualTo(new DateTimeOffset(2026, 2, 7, 14, 42, 29, TimeSpan.Zero).AddTicks(4723810)));
            Assert.That(instances[0].Updated_at!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
            Assert.That(instances[1].Instance_status, Is.EqualTo("ENDED"));
            Assert.That(instances[1].Domain, Is.Null);
        }
    }

    [Test]
    public async Task Container_instance_detail_parses_the_active_example()
    {
        var instance = await GetAsync($"/gpu/instances/{ContainerId}", FluenceExamples.ContainerInstanceActive, c => c.GetContainerInstanceAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo(ContainerId));
            Assert.That(instance.Instance_status, Is.EqualTo("ACTIVE"));
            Assert.That(instance.Container_status, Is.EqualTo("STARTED"));
            Assert.That(instance.Domain, Is.Null, "the detail examples carry no top-level domain");
            Assert.That(instance.Container_info!.Image, Is.EqualTo("docker.io/fluencelabs/debian-ssh-root:11"));
            Assert.That(instance.Container_info.Expose!.Single().Port, Is.EqualTo("22"));
            Assert.That(instance.Container_info.Environment!.Single().Name, Is.EqualTo("SSH_PUBKEY"));
            Assert.That(instance.Container_info.Startup_command, Is.Null);
            Assert.That(instance.Container_info.Credentials, Is.Null);
            Assert.That(instance.Billing!.Hourly_usage, Is.EqualTo(1.22m));
            Assert.That(instance.Billing.Total_spendings, Is.EqualTo(1.22m));
            Assert.That(instance.Billing.Reserved_amount, Is.EqualTo(2.44m));
            Assert.That(instance.Billing.Next_billing_period, Is.EqualTo(new DateTimeOffset(2026, 2, 7, 15, 0, 0, TimeSpan.Zero)));
            Assert.That(instance.Network!.Domain, Is.EqualTo("provider.a100.pub"));
            Assert.That(instance.Network.Forwarded_ports!.Single().Port, Is.EqualTo("22"));
            Assert.That(instance.Network.Forwarded_ports!.Single().External_port, Is.EqualTo("32345"));
            Assert.That(instance.Network.Forwarded_ports!.Single().Protocol, Is.EqualTo("tcp"));
            Assert.That(instance.Network.Uri, Is.Null);
        }
    }

    [Test]
    public async Task Container_instance_detail_parses_the_ended_example_with_null_network()
    {
        var instance = await GetAsync($"/gpu/instances/{ContainerId}", FluenceExamples.ContainerInstanceEnded, c => c.GetContainerInstanceAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("4fe394f8-215c-42c3-8cef-f5f0381f7d9c"));
            Assert.That(instance.Instance_status, Is.EqualTo("ENDED"));
            Assert.That(instance.Container_status, Is.EqualTo("NOT_STARTED"));
            Assert.That(instance.Network, Is.Null);
            Assert.That(instance.Billing!.Hourly_usage, Is.Zero);
            Assert.That(instance.Billing.Total_spendings, Is.EqualTo(26.8m));
            Assert.That(instance.Billing.Reserved_amount, Is.Zero);
            Assert.That(instance.Billing.Next_billing_period, Is.Null);
        }
    }

    [Test]
    public async Task Vm_instance_list_parses_active_and_failed_instances()
    {
        var instances = await GetAsync("/gpu/instances/vms", FluenceExamples.VmInstances, c => c.ListVmInstancesAsync());

        Assert.That(instances, Has.Count.EqualTo(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances[0].Id, Is.EqualTo(VmId));
            Assert.That(instances[0].Status, Is.EqualTo("ACTIVE"));
            Assert.That(instances[0].Domain, Is.EqualTo("216.81.248.90"));
            Assert.That(instances[0].Location, Is.EqualTo("us-central-3"));
            Assert.That(instances[0].Resources!.Supply!.Vcpu!.Count, Is.EqualTo(14));
            Assert.That(instances[0].Resources!.Gpu_model!.Interface, Is.EqualTo("pcie"));
            Assert.That(instances[1].Status, Is.EqualTo("FAILED"));
            Assert.That(instances[1].Domain, Is.Null);
            Assert.That(instances[1].Location, Is.EqualTo("Texas"));
        }
    }

    [Test]
    public async Task Vm_instance_detail_parses_the_active_example()
    {
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", FluenceExamples.VmInstanceActive, c => c.GetVmInstanceAsync(VmId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(vm.Id, Is.EqualTo(VmId));
            Assert.That(vm.Status, Is.EqualTo("ACTIVE"));
            Assert.That(vm.Availability, Is.EqualTo("vm"));
            Assert.That(vm.Os_image, Is.EqualTo("Ubuntu Server 22.04"));
            Assert.That(vm.Ssh_connection, Is.EqualTo("ssh ubuntu@216.81.248.90"));
            Assert.That(vm.Ssh_key, Is.EqualTo("ssh-ed25519 AAAAC3... user@host"));
            Assert.That(vm.Billing!.Hourly_usage, Is.EqualTo(0.76m));
            Assert.That(vm.Billing.Total_spendings, Is.EqualTo(1.51m));
            Assert.That(vm.Billing.Next_billing_period, Is.EqualTo(new DateTimeOffset(2026, 2, 7, 16, 0, 0, TimeSpan.Zero)));
            Assert.That(vm.Network!.Domain, Is.EqualTo("216.81.248.90"));
            Assert.That(vm.Network.Forwarded_ports, Is.Empty);
            Assert.That(vm.Network.Uri, Is.Null);
            Assert.That(vm.Resources!.Gpu_model!.Model, Is.EqualTo("l40"));
        }
    }

    [Test]
    public async Task Vm_instance_detail_parses_the_ended_example_with_nulls()
    {
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", FluenceExamples.VmInstanceEnded, c => c.GetVmInstanceAsync(VmId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(vm.Status, Is.EqualTo("ENDED"));
            Assert.That(vm.Os_image, Is.EqualTo("ubuntu24.04"));
            Assert.That(vm.Ssh_connection, Is.Null);
            Assert.That(vm.Network, Is.Null);
            Assert.That(vm.Billing!.Next_billing_period, Is.Null);
            Assert.That(vm.Billing.Total_spendings, Is.Zero);
        }
    }

    [Test]
    public async Task Bare_metal_detail_parses_with_baremetal_availability()
    {
        var instance = await GetAsync($"/gpu/instances/baremetal/{BareMetalId}", BareMetalInstance, c => c.GetBareMetalInstanceAsync(BareMetalId));

        Assert.That(instance.Availability, Is.EqualTo("baremetal"));
    }

    [Test]
    public async Task Undocumented_status_values_come_through_as_raw_strings()
    {
        var containers = await GetAsync("/gpu/instances/", FluenceExamples.ContainerInstances.Replace("\"ENDED\"", "\"SUSPENDED\"", StringComparison.Ordinal), c => c.ListContainerInstancesAsync());
        var container = await GetAsync($"/gpu/instances/{ContainerId}", FluenceExamples.ContainerInstanceActive.Replace("\"STARTED\"", "\"RESTARTING\"", StringComparison.Ordinal), c => c.GetContainerInstanceAsync(ContainerId));
        var vms = await GetAsync("/gpu/instances/vms", FluenceExamples.VmInstances.Replace("\"FAILED\"", "\"PROVISIONING\"", StringComparison.Ordinal), c => c.ListVmInstancesAsync());
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", FluenceExamples.VmInstanceActive.Replace("\"vm\"", "\"gpu-pod\"", StringComparison.Ordinal), c => c.GetVmInstanceAsync(VmId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(containers[1].Instance_status, Is.EqualTo("SUSPENDED"));
            Assert.That(container.Container_status, Is.EqualTo("RESTARTING"));
            Assert.That(vms[1].Status, Is.EqualTo("PROVISIONING"));
            Assert.That(vm.Availability, Is.EqualTo("gpu-pod"));
        }
    }

    [Test]
    public async Task Logs_and_events_examples_parse_as_string_arrays()
    {
        var logs = await GetAsync($"/gpu/instances/{ContainerId}/logs?last=2", FluenceExamples.Logs, c => c.GetContainerInstanceLogsAsync(ContainerId, 2));
        var events = await GetAsync($"/gpu/instances/{ContainerId}/events", FluenceExamples.Events, c => c.GetContainerInstanceEventsAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(logs, Is.EqualTo(new[]
            {
                "[service-1-b4fcd99f7-f5xr5] Server listening on 0.0.0.0 port 22.",
                "[service-1-b4fcd99f7-f5xr5] Server listening on :: port 22.",
            }));
            Assert.That(events, Has.Count.EqualTo(4));
            Assert.That(events[1], Is.EqualTo("[service-1-b4fcd99f7-f5xr5]: [Normal] [Pulled] Container image \"docker.io/fluencelabs/debian-ssh-root:11\" already present on machine"));
        }
    }

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.Created)]
    public async Task Deploy_response_is_read_on_200_and_201(HttpStatusCode status)
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Post, $"{Base}/gpu/instances/vms").Respond(status, Mock.Json, FluenceExamples.DeployResponse);
        using var http = mock.ToHttpClient();

        var response = await new FluenceClient(http).DeployVmInstanceAsync(DeployVmRequest());

        mock.VerifyNoOutstandingExpectation();
        Assert.That(response.Instance_id, Is.EqualTo("3fa85f64-5717-4562-b3fc-2c963f66afa6"));
    }

    [Test]
    public async Task Ssh_key_page_parses_items_and_pagination()
    {
        var page = await GetAsync("/v1/ssh_keys", FluenceExamples.SshKeyPage, c => c.ListSshKeysAsync());

        var key = page.Items.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(key.Id, Is.EqualTo(SshKeyId));
            Assert.That(key.UserId, Is.EqualTo(Guid.Parse("1c6e1f9a-2b3c-4d5e-8f90-a1b2c3d4e5f6")));
            Assert.That(key.Name, Is.EqualTo("my-key"));
            Assert.That(key.PublicKey, Does.StartWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"));
            Assert.That(key.Algorithm, Is.EqualTo("ssh-ed25519"));
            Assert.That(key.Fingerprint, Is.EqualTo("SHA256:sINcLA/hlKG0nDpE9n233xEnXAgSISxq0/nVWbbx5A4"));
            Assert.That(page.Pagination.TotalRecords, Is.EqualTo(1));
            Assert.That(page.Pagination.FilteredRecords, Is.EqualTo(1));
            Assert.That(page.Pagination.TotalPages, Is.EqualTo(1));
            Assert.That(page.Pagination.CurrentPage, Is.Zero);
            Assert.That(page.Pagination.PerPage, Is.EqualTo(50));
        }
    }

    [Test]
    public async Task Unknown_fields_are_kept_in_AdditionalProperties()
    {
        var body = FluenceExamples.VmInstanceActive.Replace("\"availability\": \"vm\",", "\"availability\": \"vm\", \"gpu_driver\": \"550.127\",", StringComparison.Ordinal);
        var vm = await GetAsync($"/gpu/instances/vms/{VmId}", body, c => c.GetVmInstanceAsync(VmId));

        Assert.That(vm.AdditionalProperties, Does.ContainKey("gpu_driver"));
    }

    [Test]
    public async Task Missing_required_fields_do_not_fail_the_response()
    {
        // TolerantContractResolver relaxes Required.DisallowNull/Always, so a spec-required field may be absent.
        var plans = await GetAsync("/gpu/plans/vms", "{}", c => c.ListVmPlansAsync());
        var key = await GetAsync("/v1/ssh_keys", """{"items": [{"name": "my-key"}], "pagination": {}}""", c => c.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plans.Data, Is.Empty);
            Assert.That(key.Items.Single().Id, Is.EqualTo(Guid.Empty), "absent uuid becomes Guid.Empty");
            Assert.That(key.Items.Single().PublicKey, Is.Null);
        }
    }

    [Test]
    public async Task Null_in_a_non_nullable_value_field_is_ignored()
    {
        // Every generated property has NullValueHandling.Ignore, which also applies when reading: a null for
        // UserSshKey.id (a System.Guid) is skipped instead of failing the response.
        var page = await GetAsync("/v1/ssh_keys", """{"items": [{"id": null, "name": "my-key"}], "pagination": {"totalRecords": null}}""", c => c.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items.Single().Id, Is.EqualTo(Guid.Empty));
            Assert.That(page.Pagination.TotalRecords, Is.Zero);
        }
    }

    // ---------------------------------------------------------------------------------------- errors

    private static ErrorCase<IFluenceClient> Error(string operation, HttpMethod method, string path, Func<IFluenceClient, Task> call, int status, string body, string message) =>
        new() { Operation = operation, Method = method, Url = Base + path, Call = call, Status = status, Body = body, ExpectedMessage = message };

    private static IEnumerable<ErrorCase<IFluenceClient>> ErrorCases()
    {
        const string Balance = "Insufficient balance to deploy instance";
        const string AuthFailed = "Auth failed. No such API Key";
        yield return Error(nameof(IFluenceClient.DeployContainerInstanceAsync), HttpMethod.Post, "/gpu/instances/", c => c.DeployContainerInstanceAsync(MinimalDeployRequest()), 400, FluenceExamples.InsufficientBalance, Balance);
        yield return Error(nameof(IFluenceClient.DeployVmInstanceAsync), HttpMethod.Post, "/gpu/instances/vms", c => c.DeployVmInstanceAsync(DeployVmRequest()), 400, FluenceExamples.UnsupportedOsImage, "Provided OS image Ubuntu Server 2.04 is not supported for the selected offer. Available OS images: Ubuntu Server 22.04");
        yield return Error(nameof(IFluenceClient.DeployBareMetalInstanceAsync), HttpMethod.Post, "/gpu/instances/baremetal", c => c.DeployBareMetalInstanceAsync(DeployVmRequest()), 400, FluenceExamples.InsufficientBalance, Balance);
        yield return Error(nameof(IFluenceClient.ListContainerPlansAsync), HttpMethod.Get, "/gpu/plans/", c => c.ListContainerPlansAsync(), 403, FluenceExamples.AuthFailed, AuthFailed);
        yield return Error(nameof(IFluenceClient.ListVmInstancesAsync), HttpMethod.Get, "/gpu/instances/vms", c => c.ListVmInstancesAsync(), 403, FluenceExamples.AuthFailed, AuthFailed);
        yield return Error(nameof(IFluenceClient.ListDefaultImagesAsync), HttpMethod.Get, "/gpu/default-images/", c => c.ListDefaultImagesAsync(), 401, """{"error": "Not authenticated"}""", "Not authenticated");

        // 404s and the 400 on terminating a non-ACTIVE instance are documented without a body (inferred FastAPI shape).
        yield return Error(nameof(IFluenceClient.GetContainerInstanceAsync), HttpMethod.Get, $"/gpu/instances/{ContainerId}", c => c.GetContainerInstanceAsync(ContainerId), 404, """{"detail": "Instance not found"}""", "Instance not found");
        yield return Error(nameof(IFluenceClient.GetVmInstanceAsync), HttpMethod.Get, $"/gpu/instances/vms/{VmId}", c => c.GetVmInstanceAsync(VmId), 404, """{"detail": "Instance not found"}""", "Instance not found");
        yield return Error(nameof(IFluenceClient.DeleteContainerInstanceAsync), HttpMethod.Delete, $"/gpu/instances/{ContainerId}", c => c.DeleteContainerInstanceAsync(ContainerId), 400, """{"detail": "Only ACTIVE instances can be terminated"}""", "Only ACTIVE instances can be terminated");
        yield return Error(nameof(IFluenceClient.UpdateContainerInstanceAsync), HttpMethod.Put, $"/gpu/instances/{ContainerId}", c => c.UpdateContainerInstanceAsync(ContainerId, UpdateRequest()), 400, """{"detail": "Previous update is still in progress"}""", "Previous update is still in progress");
        yield return Error(nameof(IFluenceClient.DeleteBareMetalInstanceAsync), HttpMethod.Delete, $"/gpu/instances/baremetal/{BareMetalId}", c => c.DeleteBareMetalInstanceAsync(BareMetalId), 404, """{"detail": "Instance not found"}""", "Instance not found");
        yield return Error(nameof(IFluenceClient.GetContainerInstanceLogsAsync), HttpMethod.Get, $"/gpu/instances/{ContainerId}/logs?last=5", c => c.GetContainerInstanceLogsAsync(ContainerId, 5), 500, """{"detail": "Internal Server Error"}""", "Internal Server Error");

        // Main API (/v1) envelope {code, error}.
        yield return Error(nameof(IFluenceClient.ListSshKeysAsync), HttpMethod.Get, "/v1/ssh_keys", c => c.ListSshKeysAsync(), 400, FluenceExamples.MainApiBadRequest, "Wrong parameters");
        yield return Error(nameof(IFluenceClient.ListSshKeysAsync), HttpMethod.Get, "/v1/ssh_keys", c => c.ListSshKeysAsync(), 401, FluenceExamples.MainApiUnauthorized, "Auth token invalid or missing");
        yield return Error(nameof(IFluenceClient.CreateSshKeyAsync), HttpMethod.Post, "/v1/ssh_keys", c => c.CreateSshKeyAsync(CreateSshKeyRequest()), 403, FluenceExamples.MainApiForbidden, "Not allowed to call this endpoint");
        yield return Error(nameof(IFluenceClient.CreateSshKeyAsync), HttpMethod.Post, "/v1/ssh_keys", c => c.CreateSshKeyAsync(CreateSshKeyRequest()), 409, """{"code": "conflict", "error": "SshKey already exists"}""", "SshKey already exists");
        yield return Error(nameof(IFluenceClient.DeleteSshKeysAsync), HttpMethod.Post, "/v1/ssh_keys/delete", c => c.DeleteSshKeysAsync(new DeleteSshKeysRequest { Ids = [SshKeyId] }), 422, FluenceExamples.MainApiUnprocessable, "Unable to process the entity");
        yield return Error(nameof(IFluenceClient.DeleteSshKeysAsync), HttpMethod.Post, "/v1/ssh_keys/delete", c => c.DeleteSshKeysAsync(new DeleteSshKeysRequest { Ids = [SshKeyId] }), 500, FluenceExamples.MainApiServerError, "Unexpected server error");
    }

    private static IEnumerable<TestCaseData> Errors() =>
        ErrorCases().Select(e => new TestCaseData(e).SetArgDisplayNames(e.ToString()));

    /// <summary>The human-readable part of either envelope: GPU `detail` string, auth `error`, or main-API `error`.</summary>
    private static string? MessageOf(ErrorResponse error) => error.Detail as string ?? error.Error;

    private static (FluenceClient Client, MockHttpMessageHandler Mock, HttpClient Http) RespondError(ErrorCase<IFluenceClient> error, bool readResponseAsString)
    {
        var mock = Mock.CreateHandler();
        mock.Expect(error.Method, error.Url).WithHeaders(ApiKeyHeader, ApiKey).Respond((HttpStatusCode)error.Status, Mock.Json, error.Body);
        var http = mock.ToHttpClient();
        http.DefaultRequestHeaders.Add(ApiKeyHeader, ApiKey);
        return (new FluenceClient(http) { ReadResponseAsString = readResponseAsString }, mock, http);
    }

    [TestCaseSource(nameof(Errors))]
    public void Documented_error_throws_FluenceApiException_with_status_raw_body_and_result(ErrorCase<IFluenceClient> error)
    {
        var (client, mock, http) = RespondError(error, readResponseAsString: true);
        using (mock)
        using (http)
        {
            var ex = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => error.Call(client));

            mock.VerifyNoOutstandingExpectation();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex!.StatusCode, Is.EqualTo(error.Status));
                Assert.That(ex.Response, Is.EqualTo(error.Body));
                Assert.That(MessageOf(ex.Result), Is.EqualTo(error.ExpectedMessage));
            }
        }
    }

    [TestCaseSource(nameof(Errors))]
    public void With_default_settings_a_documented_error_has_the_typed_result_but_no_raw_body(ErrorCase<IFluenceClient> error)
    {
        // NSwag's ReadResponseAsString defaults to false: the body is streamed into Result and Response stays "".
        var (client, mock, http) = RespondError(error, readResponseAsString: false);
        using (mock)
        using (http)
        {
            var ex = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => error.Call(client));

            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex!.StatusCode, Is.EqualTo(error.Status));
                Assert.That(ex.Response, Is.Empty);
                Assert.That(MessageOf(ex.Result), Is.EqualTo(error.ExpectedMessage));
            }
        }
    }

    [Test]
    public void Validation_error_422_keeps_the_detail_array()
    {
        var error = Error(nameof(IFluenceClient.DeployContainerInstanceAsync), HttpMethod.Post, "/gpu/instances/", c => c.DeployContainerInstanceAsync(MinimalDeployRequest()), 422, FluenceExamples.ValidationError, "");
        var (client, mock, http) = RespondError(error, readResponseAsString: true);
        using (mock)
        using (http)
        {
            var ex = Assert.ThrowsAsync<FluenceApiException<ErrorResponse>>(() => error.Call(client));

            Assert.That(ex!.Result.Detail, Is.InstanceOf<JArray>());
            var items = ((JArray)ex.Result.Detail!).ToObject<List<ValidationErrorItem>>()!;
            var item = items.Single();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ex.StatusCode, Is.EqualTo(422));
                Assert.That(ex.Response, Is.EqualTo(FluenceExamples.ValidationError));
                Assert.That(item.Type, Is.EqualTo("value_error"));
                Assert.That(item.Loc!.Select(l => l.ToString()), Is.EqualTo(new[] { "body", "container_settings", "expose", "0", "port" }));
                Assert.That(item.Msg, Is.EqualTo("Value error, Port must be between 1 and 65535"));
                Assert.That(item.Input?.ToString(), Is.EqualTo("999999999"));
                Assert.That(item.Ctx, Does.ContainKey("error"));
            }
        }
    }

    [Test]
    public void Undeclared_error_status_throws_the_base_exception_with_the_raw_body()
    {
        const string Html = "<html><body>502 Bad Gateway</body></html>";
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/gpu/plans/").Respond(HttpStatusCode.BadGateway, "text/html", Html);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluenceApiException>(() => new FluenceClient(http).ListContainerPlansAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.Not.InstanceOf<FluenceApiException<ErrorResponse>>());
            Assert.That(ex!.StatusCode, Is.EqualTo(502));
            Assert.That(ex.Response, Is.EqualTo(Html), "undeclared statuses keep the body even with default settings");
        }
    }

    [Test]
    public void Declared_error_status_with_an_empty_body_throws_the_base_exception()
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.NotFound, new StringContent(string.Empty));
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluenceApiException>(() => new FluenceClient(http).GetContainerInstanceAsync(ContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.Not.InstanceOf<FluenceApiException<ErrorResponse>>());
            Assert.That(ex!.StatusCode, Is.EqualTo(404));
            Assert.That(ex.Message, Does.StartWith("Response was null which was not expected."));
        }
    }

    [Test]
    public async Task No_content_responses_complete_without_exception()
    {
        using var mock = Mock.CreateHandler();
        var update = mock.Expect(HttpMethod.Put, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.NoContent);
        var deleteContainer = mock.Expect(HttpMethod.Delete, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.NoContent);
        var rename = mock.Expect(HttpMethod.Put, $"{Base}/gpu/instances/vms/{VmId}").Respond(HttpStatusCode.NoContent);
        var deleteVm = mock.Expect(HttpMethod.Delete, $"{Base}/gpu/instances/vms/{VmId}").Respond(HttpStatusCode.NoContent);
        using var http = mock.ToHttpClient();
        var client = new FluenceClient(http);

        await client.UpdateContainerInstanceAsync(ContainerId, UpdateRequest());
        await client.DeleteContainerInstanceAsync(ContainerId);
        await client.RenameVmInstanceAsync(VmId, new RenameRequest { Name = "my-training-vm" });
        await client.DeleteVmInstanceAsync(VmId);

        mock.VerifyNoOutstandingExpectation();
        Assert.That(new[] { update, deleteContainer, rename, deleteVm }.Select(mock.GetMatchCount), Is.All.EqualTo(1));
    }

    [Test]
    public void A_success_status_other_than_the_documented_one_is_an_error()
    {
        // Terminate is documented as 204; a 200 (e.g. with a body) is treated as unexpected.
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Delete, $"{Base}/gpu/instances/{ContainerId}").Respond(HttpStatusCode.OK, Mock.Json, "{}");
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluenceApiException>(() => new FluenceClient(http).DeleteContainerInstanceAsync(ContainerId));

        Assert.That(ex!.StatusCode, Is.EqualTo(200));
    }
}
