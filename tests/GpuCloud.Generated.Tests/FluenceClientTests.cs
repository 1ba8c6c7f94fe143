using GpuCloud.Generated.Fluence;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// FluenceClient (specs/fluence.openapi.yaml) against a mocked https://api.fluence.dev: every operation's
/// request, the parsing of the documented examples, and the documented error statuses.
/// </summary>
[TestFixture]
public partial class FluenceClientTests
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
    public void OperationsTableCoversEveryMethodOfIFluenceClient()
    {
        var declared = typeof(IFluenceClient).GetMethods().Select(m => m.Name).ToList();
        var covered = OperationCases().Select(o => o.Operation).Distinct().ToList();

        Assert.That(covered, Is.EquivalentTo(declared));
    }

    [TestCaseSource(nameof(Operations))]
    public async Task SendsTheDocumentedRequestWithTheApiKey(OperationCase<IFluenceClient> operation)
    {
        var request = await Mock.RunAsync(operation, http => new FluenceClient(http), h => h.Add(ApiKeyHeader, ApiKey), ApiKeyHeader, ApiKey);

        Mock.AssertMatches(request, operation, ApiKeyHeader, ApiKey);
    }

    [Test]
    public async Task DeployContainerBodyUsesTheDocumentedSnakeCaseFieldNames()
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
    public async Task PathParametersAreEscaped()
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
    public void BaseUrlDefaultsToTheDocumentedHost()
    {
        using var http = new HttpClient();

        Assert.That(new FluenceClient(http).BaseUrl, Is.EqualTo("https://api.fluence.dev/"));
    }
}
