using GpuCloud.Generated.Fluidstack.Infrastructure;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// FluidstackInfrastructureClient (specs/fluidstack-infrastructure.openapi.yaml) against a mocked regional API
/// at https://eu-1.atlas.fluidstack.io/api/v1alpha1: every operation's request (including X-PROJECT-ID),
/// the parsing of the documented examples, and the documented errors.
/// </summary>
[TestFixture]
public partial class FluidstackInfrastructureClientTests
{
    private const string Base = "https://eu-1.atlas.fluidstack.io/api/v1alpha1";
    private const string AuthHeader = "Authorization";
    private const string Bearer = "Bearer test-token";

    private const string ProjectIdText = "123e4567-e89b-12d3-a456-426614174003";
    private static readonly Guid ProjectId = Guid.Parse(ProjectIdText);
    private static readonly Guid InstanceId = Guid.Parse("550e8400-e29b-41d4-a716-446655440000");
    private static readonly Guid FilesystemId = Guid.Parse("123e4567-e89b-12d3-a456-426614174002");
    private static readonly Guid ClusterId = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");
    private static readonly Guid NodePoolId = Guid.Parse("16fd2706-8baf-433b-82eb-8c7fada847da");

    /// <summary>The kubeconfig credentials, as a JSON string holding base64 (the only form the generated client reads).</summary>
    private static readonly string KubeconfigBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("apiVersion: v1\nkind: Config\n"));

    private static void Authenticate(HttpRequestHeaders headers) => headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-token");

    private static FluidstackInfrastructureClient CreateClient(HttpClient http) => new(http) { BaseUrl = Base };

    // ------------------------------------------------------------------------------------- request bodies

    /// <summary>The InstancesPostRequest example through the DTO; userData is the example's bytes.</summary>
    private static InstancesPostRequest CreateInstanceRequest() => new()
    {
        Name = "instance-1",
        Type = "h100-hgx-80gb.8x",
        UserData = Convert.FromBase64String("STJOc2IzVmtMV052Ym1acFp3cHdZV05yWVdkbGN6b0tJQ0F0SUc1bmFXNTQK"),
        Filesystems = [Guid.Parse("123e4567-e89b-12d3-a456-426614174000"), Guid.Parse("123e4567-e89b-12d3-a456-426614174001")],
        Tags = new Dictionary<string, string> { ["environment"] = "production" },

        // image, preemptible and ephemeral are left at their generated defaults (image://ubuntu22.04, false, false).
    };

    // ---------------------------------------------------------------------------------- operations table

    private static IEnumerable<OperationCase<IFluidstackInfrastructureClient>> OperationCases()
    {
        var i = FluidstackExamples.Infrastructure.Instance;
        var p = ProjectIdText;

        // Projects: no X-PROJECT-ID.
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListProjectsAsync), Method = HttpMethod.Get, Url = $"{Base}/projects", Call = c => c.ListProjectsAsync(), ResponseBody = $"[{FluidstackExamples.Infrastructure.Project}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.CreateProjectAsync), Method = HttpMethod.Post, Url = $"{Base}/projects", Call = c => c.CreateProjectAsync(new ProjectsPostRequest { Name = "project-1", Tags = new Dictionary<string, string> { ["team"] = "ml-ops" } }), RequestBody = FluidstackExamples.Infrastructure.ProjectsPostRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluidstackExamples.Infrastructure.Project };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.DeleteProjectAsync), Method = HttpMethod.Delete, Url = $"{Base}/projects/{ProjectId}", Call = c => c.DeleteProjectAsync(ProjectId), ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetProjectAsync), Method = HttpMethod.Get, Url = $"{Base}/projects/{ProjectId}", Call = c => c.GetProjectAsync(ProjectId), ResponseBody = FluidstackExamples.Infrastructure.Project };

        // Instances
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListInstancesAsync), Method = HttpMethod.Get, Url = $"{Base}/instances", Call = c => c.ListInstancesAsync(ProjectId), ProjectId = p, ResponseBody = $"[{i}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.CreateInstanceAsync), Method = HttpMethod.Post, Url = $"{Base}/instances", Call = c => c.CreateInstanceAsync(ProjectId, CreateInstanceRequest()), ProjectId = p, RequestBody = FluidstackExamples.Infrastructure.InstancesPostRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = i };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.DeleteInstanceAsync), Method = HttpMethod.Delete, Url = $"{Base}/instances/{InstanceId}", Call = c => c.DeleteInstanceAsync(ProjectId, InstanceId), ProjectId = p, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetInstanceAsync), Method = HttpMethod.Get, Url = $"{Base}/instances/{InstanceId}", Call = c => c.GetInstanceAsync(ProjectId, InstanceId), ProjectId = p, ResponseBody = i };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.StartInstanceAsync), Method = HttpMethod.Post, Url = $"{Base}/instances/{InstanceId}/actions/start", Call = c => c.StartInstanceAsync(ProjectId, InstanceId), ProjectId = p, ResponseStatus = HttpStatusCode.Accepted };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.StopInstanceAsync), Method = HttpMethod.Post, Url = $"{Base}/instances/{InstanceId}/actions/stop", Call = c => c.StopInstanceAsync(ProjectId, InstanceId), ProjectId = p, ResponseStatus = HttpStatusCode.Accepted };

        // Offerings: instance types and capabilities take no project; capacity does.
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListInstanceTypesAsync), Method = HttpMethod.Get, Url = $"{Base}/instance-types", Call = c => c.ListInstanceTypesAsync(), ResponseBody = $"[{FluidstackExamples.Infrastructure.InstanceType}, {FluidstackExamples.Infrastructure.InstanceTypeSnakeCase}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListCapacityAsync), Method = HttpMethod.Get, Url = $"{Base}/capacity", Call = c => c.ListCapacityAsync(ProjectId), ProjectId = p, ResponseBody = $"[{FluidstackExamples.Infrastructure.CapacityItem}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListCapabilitiesAsync), Method = HttpMethod.Get, Url = $"{Base}/capabilities", Call = c => c.ListCapabilitiesAsync(), ResponseBody = FluidstackExamples.Infrastructure.Capabilities };

        // Filesystems
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListFilesystemsAsync), Method = HttpMethod.Get, Url = $"{Base}/filesystems", Call = c => c.ListFilesystemsAsync(ProjectId), ProjectId = p, ResponseBody = $"[{FluidstackExamples.Infrastructure.Filesystem}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.CreateFilesystemAsync), Method = HttpMethod.Post, Url = $"{Base}/filesystems", Call = c => c.CreateFilesystemAsync(ProjectId, new FilesystemsPostRequest { Name = "fs-1", Size = "512Gi" }), ProjectId = p, RequestBody = FluidstackExamples.Infrastructure.FilesystemsPostRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluidstackExamples.Infrastructure.Filesystem };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.DeleteFilesystemAsync), Method = HttpMethod.Delete, Url = $"{Base}/filesystems/{FilesystemId}", Call = c => c.DeleteFilesystemAsync(ProjectId, FilesystemId), ProjectId = p, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetFilesystemAsync), Method = HttpMethod.Get, Url = $"{Base}/filesystems/{FilesystemId}", Call = c => c.GetFilesystemAsync(ProjectId, FilesystemId), ProjectId = p, ResponseBody = FluidstackExamples.Infrastructure.Filesystem };

        // Kubernetes
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListKubernetesClustersAsync), Method = HttpMethod.Get, Url = $"{Base}/kubernetes/clusters", Call = c => c.ListKubernetesClustersAsync(ProjectId), ProjectId = p, ResponseBody = $"[{FluidstackExamples.Infrastructure.KubernetesCluster}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.CreateKubernetesClusterAsync), Method = HttpMethod.Post, Url = $"{Base}/kubernetes/clusters", Call = c => c.CreateKubernetesClusterAsync(ProjectId, new KubernetesClustersPostRequest { Name = "cluster-01", Version = "1.32.1" }), ProjectId = p, RequestBody = FluidstackExamples.Infrastructure.KubernetesClustersPostRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluidstackExamples.Infrastructure.KubernetesCluster };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.DeleteKubernetesClusterAsync), Method = HttpMethod.Delete, Url = $"{Base}/kubernetes/clusters/{ClusterId}", Call = c => c.DeleteKubernetesClusterAsync(ProjectId, ClusterId), ProjectId = p, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetKubernetesClusterAsync), Method = HttpMethod.Get, Url = $"{Base}/kubernetes/clusters/{ClusterId}", Call = c => c.GetKubernetesClusterAsync(ProjectId, ClusterId), ProjectId = p, ResponseBody = FluidstackExamples.Infrastructure.KubernetesCluster };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListKubernetesNodePoolsAsync), Method = HttpMethod.Get, Url = $"{Base}/kubernetes/clusters/{ClusterId}/node-pools", Call = c => c.ListKubernetesNodePoolsAsync(ProjectId, ClusterId), ProjectId = p, ResponseBody = $"[{FluidstackExamples.Infrastructure.KubernetesNodePool}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.CreateKubernetesNodePoolAsync), Method = HttpMethod.Post, Url = $"{Base}/kubernetes/clusters/{ClusterId}/node-pools", Call = c => c.CreateKubernetesNodePoolAsync(ProjectId, ClusterId, new KubernetesNodePoolPostRequest { Name = "pool-01", Type = "h100-hgx-80gb.8x", Count = 3, Version = "1.32.1" }), ProjectId = p, RequestBody = FluidstackExamples.Infrastructure.KubernetesNodePoolPostRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluidstackExamples.Infrastructure.KubernetesNodePool };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.DeleteKubernetesNodePoolAsync), Method = HttpMethod.Delete, Url = $"{Base}/kubernetes/clusters/{ClusterId}/node-pools/{NodePoolId}", Call = c => c.DeleteKubernetesNodePoolAsync(ProjectId, ClusterId, NodePoolId), ProjectId = p, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetKubernetesNodePoolAsync), Method = HttpMethod.Get, Url = $"{Base}/kubernetes/clusters/{ClusterId}/node-pools/{NodePoolId}", Call = c => c.GetKubernetesNodePoolAsync(ProjectId, ClusterId, NodePoolId), ProjectId = p, ResponseBody = FluidstackExamples.Infrastructure.KubernetesNodePool };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetKubernetesClusterCredentialsAsync), Method = HttpMethod.Get, Url = $"{Base}/kubernetes/clusters/{ClusterId}/credentials", Call = c => c.GetKubernetesClusterCredentialsAsync(ProjectId, ClusterId), ProjectId = p, ResponseBody = $"\"{KubeconfigBase64}\"" };

        // Slurm
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListSlurmClustersAsync), Method = HttpMethod.Get, Url = $"{Base}/slurm/clusters", Call = c => c.ListSlurmClustersAsync(ProjectId), ProjectId = p, ResponseBody = $"[{FluidstackExamples.Infrastructure.SlurmCluster}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.CreateSlurmClusterAsync), Method = HttpMethod.Post, Url = $"{Base}/slurm/clusters", Call = c => c.CreateSlurmClusterAsync(ProjectId, new SlurmClustersPostRequest { Name = "cluster-01", Version = "v0.40.0" }), ProjectId = p, RequestBody = FluidstackExamples.Infrastructure.SlurmClustersPostRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluidstackExamples.Infrastructure.SlurmCluster };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.DeleteSlurmClusterAsync), Method = HttpMethod.Delete, Url = $"{Base}/slurm/clusters/{ClusterId}", Call = c => c.DeleteSlurmClusterAsync(ProjectId, ClusterId), ProjectId = p, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetSlurmClusterAsync), Method = HttpMethod.Get, Url = $"{Base}/slurm/clusters/{ClusterId}", Call = c => c.GetSlurmClusterAsync(ProjectId, ClusterId), ProjectId = p, ResponseBody = FluidstackExamples.Infrastructure.SlurmCluster };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.ListSlurmNodePoolsAsync), Method = HttpMethod.Get, Url = $"{Base}/slurm/clusters/{ClusterId}/node-pools", Call = c => c.ListSlurmNodePoolsAsync(ProjectId, ClusterId), ProjectId = p, ResponseBody = $"[{FluidstackExamples.Infrastructure.SlurmNodePool}]" };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.CreateSlurmNodePoolAsync), Method = HttpMethod.Post, Url = $"{Base}/slurm/clusters/{ClusterId}/node-pools", Call = c => c.CreateSlurmNodePoolAsync(ProjectId, ClusterId, new SlurmNodePoolPostRequest { Name = "pool-01", Type = "h100-hgx-80gb.8x", Count = 3 }), ProjectId = p, RequestBody = FluidstackExamples.Infrastructure.SlurmNodePoolPostRequest, ResponseStatus = HttpStatusCode.Created, ResponseBody = FluidstackExamples.Infrastructure.SlurmNodePool };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.DeleteSlurmNodePoolAsync), Method = HttpMethod.Delete, Url = $"{Base}/slurm/clusters/{ClusterId}/node-pools/{NodePoolId}", Call = c => c.DeleteSlurmNodePoolAsync(ProjectId, ClusterId, NodePoolId), ProjectId = p, ResponseStatus = HttpStatusCode.NoContent };
        yield return new() { Operation = nameof(IFluidstackInfrastructureClient.GetSlurmNodePoolAsync), Method = HttpMethod.Get, Url = $"{Base}/slurm/clusters/{ClusterId}/node-pools/{NodePoolId}", Call = c => c.GetSlurmNodePoolAsync(ProjectId, ClusterId, NodePoolId), ProjectId = p, ResponseBody = FluidstackExamples.Infrastructure.SlurmNodePool };
    }

    private static IEnumerable<TestCaseData> Operations() =>
        OperationCases().Select(o => new TestCaseData(o).SetArgDisplayNames(o.ToString()));

    [Test]
    public void OperationsTableCoversEveryMethodOfIFluidstackInfrastructureClient()
    {
        var declared = typeof(IFluidstackInfrastructureClient).GetMethods().Select(m => m.Name).ToList();
        var covered = OperationCases().Select(o => o.Operation).Distinct().ToList();

        Assert.That(covered, Is.EquivalentTo(declared));
    }

    [Test]
    public void XPROJECTIDIsExpectedExactlyWhereTheSpecDeclaresIt()
    {
        // Every regional operation takes it except /projects, /instance-types and /capabilities.
        var withoutProject = OperationCases().Where(o => o.ProjectId is null).Select(o => o.Url[Base.Length..].Split('/')[1]).Distinct();
        var withProjectParameter = typeof(IFluidstackInfrastructureClient).GetMethods()
            .Where(m => m.GetParameters().Any(p => p.Name == "x_PROJECT_ID")).Select(m => m.Name).ToHashSet();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withoutProject, Is.EquivalentTo(new[] { "projects", "instance-types", "capabilities" }));
            Assert.That(OperationCases().Where(o => o.ProjectId is not null).Select(o => o.Operation), Is.EquivalentTo(withProjectParameter));
        }
    }

    [TestCaseSource(nameof(Operations))]
    public async Task SendsTheDocumentedRequestWithTheBearerTokenAndProject(OperationCase<IFluidstackInfrastructureClient> operation)
    {
        var request = await Mock.RunAsync(operation, CreateClient, Authenticate, AuthHeader, Bearer);

        Mock.AssertMatches(request, operation, AuthHeader, Bearer);
    }

    [Test]
    public async Task CreateInstanceSendsUserDataBase64OnceAndTagsAsAnObject()
    {
        const string CloudConfig = "#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEaSkijEWFbnjixzWRw3u2spZZaeVeWO5/ymySevCvXh\n";
        using var mock = Mock.CreateHandler();
        var log = new List<RecordedRequest>();
        mock.Expect(HttpMethod.Post, $"{Base}/instances").WithHeaders("X-PROJECT-ID", ProjectIdText).RespondAndRecord(log, HttpStatusCode.Created, FluidstackExamples.Infrastructure.Instance);
        using var http = mock.ToHttpClient();
        var request = new InstancesPostRequest
        {
            Name = "instance-1",
            Type = "cpu.2x",
            UserData = Encoding.UTF8.GetBytes(CloudConfig),
            Tags = new Dictionary<string, string> { ["environment"] = "production", ["owner"] = "gpucloud" },
        };

        await CreateClient(http).CreateInstanceAsync(ProjectId, request);

        mock.VerifyNoOutstandingExpectation();
        var body = JObject.Parse(log.Single().Body!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Properties().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "type", "image", "preemptible", "ephemeral", "userData", "tags" }), "null filesystems are left out");
            Assert.That(body["userData"]!.Value<string>(), Is.EqualTo(Convert.ToBase64String(Encoding.UTF8.GetBytes(CloudConfig))));
            Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(body["userData"]!.Value<string>()!)), Is.EqualTo(CloudConfig));
            Assert.That(body["tags"], Is.InstanceOf<JObject>());
            Assert.That(body["tags"]!["owner"]!.Value<string>(), Is.EqualTo("gpucloud"));
            Assert.That(body["image"]!.Value<string>(), Is.EqualTo("image://ubuntu22.04"), "generated default");
            Assert.That(body["preemptible"]!.Value<bool>(), Is.False, "generated default");
            Assert.That(body["ephemeral"]!.Value<bool>(), Is.False, "generated default");
        }
    }

    [Test]
    public async Task StartAndStopSendAnEmptyJsonBodyAndCompleteOn202()
    {
        using var mock = Mock.CreateHandler();
        var log = new List<RecordedRequest>();
        var start = mock.Expect(HttpMethod.Post, $"{Base}/instances/{InstanceId}/actions/start").WithHeaders("X-PROJECT-ID", ProjectIdText).RespondAndRecord(log, HttpStatusCode.Accepted, null);
        var stop = mock.Expect(HttpMethod.Post, $"{Base}/instances/{InstanceId}/actions/stop").WithHeaders("X-PROJECT-ID", ProjectIdText).RespondAndRecord(log, HttpStatusCode.Accepted, null);
        using var http = mock.ToHttpClient();
        var client = CreateClient(http);

        await client.StartInstanceAsync(ProjectId, InstanceId);
        await client.StopInstanceAsync(ProjectId, InstanceId);

        mock.VerifyNoOutstandingExpectation();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new[] { start, stop }.Select(mock.GetMatchCount), Is.All.EqualTo(1));
            Assert.That(log.Select(r => r.Body), Is.All.Empty, "no body ...");
            Assert.That(log.Select(r => r.ContentType), Is.All.StartWith(Mock.Json), "... but an application/json content type");
        }
    }

    [Test]
    public async Task DeleteOperationsCompleteOn204()
    {
        using var mock = Mock.CreateHandler();
        var expectations = new[]
        {
            mock.Expect(HttpMethod.Delete, $"{Base}/instances/{InstanceId}").Respond(HttpStatusCode.NoContent),
            mock.Expect(HttpMethod.Delete, $"{Base}/projects/{ProjectId}").Respond(HttpStatusCode.NoContent),
            mock.Expect(HttpMethod.Delete, $"{Base}/filesystems/{FilesystemId}").Respond(HttpStatusCode.NoContent),
        };
        using var http = mock.ToHttpClient();
        var client = CreateClient(http);

        await client.DeleteInstanceAsync(ProjectId, InstanceId);
        await client.DeleteProjectAsync(ProjectId);
        await client.DeleteFilesystemAsync(ProjectId, FilesystemId);

        mock.VerifyNoOutstandingExpectation();
        Assert.That(expectations.Select(mock.GetMatchCount), Is.All.EqualTo(1));
    }

    [Test]
    public void StartAnswering200InsteadOf202IsTreatedAsAnError()
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Post, $"{Base}/instances/{InstanceId}/actions/start").Respond(HttpStatusCode.OK);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackInfrastructureApiException>(() => CreateClient(http).StartInstanceAsync(ProjectId, InstanceId));

        Assert.That(ex!.StatusCode, Is.EqualTo(200));
    }
}
