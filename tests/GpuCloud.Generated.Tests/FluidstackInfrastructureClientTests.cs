using System.Net;
using System.Net.Http.Headers;
using System.Text;
using GpuCloud.Generated.Fluidstack.Infrastructure;
using Newtonsoft.Json.Linq;
using RichardSzalay.MockHttp;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// FluidstackInfrastructureClient (specs/fluidstack-infrastructure.openapi.yaml) against a mocked regional API
/// at https://eu-1.atlas.fluidstack.io/api/v1alpha1: every operation's request (including X-PROJECT-ID),
/// the parsing of the documented examples, and the documented errors.
/// </summary>
[TestFixture]
public class FluidstackInfrastructureClientTests
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
    public void Operations_table_covers_every_method_of_IFluidstackInfrastructureClient()
    {
        var declared = typeof(IFluidstackInfrastructureClient).GetMethods().Select(m => m.Name).ToList();
        var covered = OperationCases().Select(o => o.Operation).Distinct().ToList();

        Assert.That(covered, Is.EquivalentTo(declared));
    }

    [Test]
    public void X_PROJECT_ID_is_expected_exactly_where_the_spec_declares_it()
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
    public async Task Sends_the_documented_request_with_the_bearer_token_and_project(OperationCase<IFluidstackInfrastructureClient> operation)
    {
        var request = await Mock.RunAsync(operation, CreateClient, Authenticate, AuthHeader, Bearer);

        Mock.AssertMatches(request, operation, AuthHeader, Bearer);
    }

    [Test]
    public async Task Create_instance_sends_userData_base64_once_and_tags_as_an_object()
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
    public async Task Start_and_stop_send_an_empty_json_body_and_complete_on_202()
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
    public async Task Delete_operations_complete_on_204()
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
    public void Start_answering_200_instead_of_202_is_treated_as_an_error()
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Post, $"{Base}/instances/{InstanceId}/actions/start").Respond(HttpStatusCode.OK);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackInfrastructureApiException>(() => CreateClient(http).StartInstanceAsync(ProjectId, InstanceId));

        Assert.That(ex!.StatusCode, Is.EqualTo(200));
    }

    // ------------------------------------------------------------------------------------------- base URL

    [TestCase("https://eu-1.atlas.fluidstack.io/api/v1alpha1")]
    [TestCase("https://eu-1.atlas.fluidstack.io/api/v1alpha1/")]
    public async Task Base_url_with_or_without_trailing_slash_gives_the_same_request(string baseUrl)
    {
        using var mock = Mock.CreateHandler();
        var expectation = mock.Expect(HttpMethod.Get, $"{Base}/instance-types").Respond(HttpStatusCode.OK, Mock.Json, "[]");
        using var http = mock.ToHttpClient();

        await new FluidstackInfrastructureClient(http) { BaseUrl = baseUrl }.ListInstanceTypesAsync();

        Assert.That(mock.GetMatchCount(expectation), Is.EqualTo(1));
    }

    [Test]
    public async Task Base_url_built_from_a_management_Region_url_reaches_the_region()
    {
        var region = Newtonsoft.Json.JsonConvert.DeserializeObject<List<Generated.Fluidstack.Management.Region>>(FluidstackExamples.Management.Regions)![0];
        using var mock = Mock.CreateHandler();
        var expectation = mock.Expect(HttpMethod.Get, "https://sandbox.atlas.fluidstack.io/api/v1alpha1/capabilities").Respond(HttpStatusCode.OK, Mock.Json, FluidstackExamples.Infrastructure.Capabilities);
        using var http = mock.ToHttpClient();

        await new FluidstackInfrastructureClient(http) { BaseUrl = region.Url + "/api/v1alpha1" }.ListCapabilitiesAsync();

        Assert.That(mock.GetMatchCount(expectation), Is.EqualTo(1));
    }

    [Test]
    public void Default_base_url_is_the_spec_placeholder_and_cannot_be_called()
    {
        // servers: https://<region>.atlas.fluidstack.io/api/v1alpha1 becomes the default BaseUrl; the facade must
        // always set BaseUrl from Region.url. Calling without it fails before any request is sent.
        using var mock = Mock.CreateHandler();
        using var http = mock.ToHttpClient();
        var client = new FluidstackInfrastructureClient(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(client.BaseUrl, Is.EqualTo("https://<region>.atlas.fluidstack.io/api/v1alpha1/"));
            Assert.That(() => client.ListInstanceTypesAsync(), Throws.TypeOf<UriFormatException>());
        }
    }

    // --------------------------------------------------------------------------------------- parsing

    private static async Task<T> GetAsync<T>(string path, string body, Func<FluidstackInfrastructureClient, Task<T>> call)
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, Base + path).Respond(HttpStatusCode.OK, Mock.Json, body);
        using var http = mock.ToHttpClient();

        var result = await call(CreateClient(http));

        mock.VerifyNoOutstandingExpectation();
        return result;
    }

    [Test]
    public async Task Instance_example_parses()
    {
        var instance = await GetAsync($"/instances/{InstanceId}", FluidstackExamples.Infrastructure.Instance, c => c.GetInstanceAsync(ProjectId, InstanceId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo(InstanceId));
            Assert.That(instance.Name, Is.EqualTo("instance-1"));
            Assert.That(instance.Type, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(instance.Ip, Is.EqualTo("10.0.0.2"));
            Assert.That(instance.State, Is.EqualTo("running"));
            Assert.That(instance.Image, Is.EqualTo("ubuntu22.04"));
            Assert.That(instance.Preemptible, Is.False);
            Assert.That(instance.Ephemeral, Is.False);
            Assert.That(instance.Filesystems, Is.EqualTo(new[] { Guid.Parse("123e4567-e89b-12d3-a456-426614174000"), Guid.Parse("123e4567-e89b-12d3-a456-426614174001") }));
            Assert.That(instance.Tags, Is.EquivalentTo(new Dictionary<string, string> { ["environment"] = "production" }));
            Assert.That(instance.UserData, Is.Not.Null);
        }
    }

    [Test]
    public async Task The_spec_userData_example_is_base64_encoded_twice()
    {
        // Documents a spec-example quirk: the documented userData decodes to base64 text, not to cloud-init.
        var instance = await GetAsync($"/instances/{InstanceId}", FluidstackExamples.Infrastructure.Instance, c => c.GetInstanceAsync(ProjectId, InstanceId));

        var once = Encoding.UTF8.GetString(instance.UserData!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(once, Is.EqualTo("I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczoKICAtIG5naW54\n"));
            Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(once)), Is.EqualTo("#cloud-config\npackages:\n  - nginx"));
        }
    }

    [Test]
    public async Task Instance_with_null_ip_null_userData_and_an_unknown_state_keeps_the_raw_values()
    {
        var body = FluidstackExamples.Infrastructure.Instance
            .Replace("\"10.0.0.2\"", "null", StringComparison.Ordinal)
            .Replace("\"running\"", "\"hibernating\"", StringComparison.Ordinal)
            .Replace("\"STJOc2IzVmtMV052Ym1acFp3cHdZV05yWVdkbGN6b0tJQ0F0SUc1bmFXNTQK\"", "null", StringComparison.Ordinal);
        var instances = await GetAsync("/instances", $"[{body}]", c => c.ListInstancesAsync(ProjectId));

        var instance = instances.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Ip, Is.Null);
            Assert.That(instance.State, Is.EqualTo("hibernating"));
            Assert.That(instance.UserData, Is.Null);
        }
    }

    [Test]
    public async Task Instance_types_parse_in_both_gpu_field_spellings()
    {
        const string CpuOnly = """{"name": "cpu.2x", "cpu": 2, "memory": "432GB"}""";
        var types = await GetAsync("/instance-types", $"[{FluidstackExamples.Infrastructure.InstanceType}, {FluidstackExamples.Infrastructure.InstanceTypeSnakeCase}, {CpuOnly}]", c => c.ListInstanceTypesAsync());

        Assert.That(types, Has.Count.EqualTo(3));
        var (camel, snake, cpu) = (types[0], types[1], types[2]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((camel.Name, camel.Cpu, camel.Memory), Is.EqualTo(("h100-hgx-80gb.8x", 96, "960Gi")));
            Assert.That(camel.GpuModel, Is.EqualTo("GH100_H100_SXM5_80GB"));
            Assert.That(camel.GpuCount, Is.EqualTo(8));
            Assert.That(camel.Gpu_model, Is.Null);
            Assert.That(camel.Gpu_count, Is.Null);

            Assert.That((snake.Name, snake.Cpu, snake.Memory), Is.EqualTo(("h100-hgx-80gb.8x", 96, "960Gi")));
            Assert.That(snake.Gpu_model, Is.EqualTo("GH100_H100_SXM5_80GB"));
            Assert.That(snake.Gpu_count, Is.EqualTo(8));
            Assert.That(snake.GpuModel, Is.Null);
            Assert.That(snake.GpuCount, Is.Null);

            Assert.That(cpu.Memory, Is.EqualTo("432GB"));
            Assert.That(cpu.GpuCount ?? cpu.Gpu_count, Is.Null);
        }
    }

    [Test]
    public async Task Capacity_capabilities_and_project_examples_parse()
    {
        var capacity = await GetAsync("/capacity", $"[{FluidstackExamples.Infrastructure.CapacityItem}]", c => c.ListCapacityAsync(ProjectId));
        var capabilities = await GetAsync("/capabilities", """["instances:list", "slurm:clusters:list", "gpus:teleport"]""", c => c.ListCapabilitiesAsync());
        var project = await GetAsync($"/projects/{ProjectId}", FluidstackExamples.Infrastructure.Project, c => c.GetProjectAsync(ProjectId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(capacity.Single().Name, Is.EqualTo("h100-hgx-80gb.8x"));
            Assert.That(capacity.Single().Capacity, Is.EqualTo(1));
            Assert.That(capabilities, Is.EqualTo(new[] { "instances:list", "slurm:clusters:list", "gpus:teleport" }), "an unknown capability is kept");
            Assert.That(project.Id, Is.EqualTo(ProjectId));
            Assert.That(project.Name, Is.EqualTo("project-1"));
            Assert.That(project.State, Is.EqualTo("active"));
            Assert.That(project.Tags, Is.EquivalentTo(new Dictionary<string, string> { ["team"] = "ml-ops" }));
        }
    }

    [Test]
    public async Task Filesystem_kubernetes_and_slurm_examples_parse()
    {
        var filesystem = await GetAsync($"/filesystems/{FilesystemId}", FluidstackExamples.Infrastructure.Filesystem, c => c.GetFilesystemAsync(ProjectId, FilesystemId));
        var cluster = await GetAsync($"/kubernetes/clusters/{ClusterId}", FluidstackExamples.Infrastructure.KubernetesCluster, c => c.GetKubernetesClusterAsync(ProjectId, ClusterId));
        var pool = await GetAsync($"/kubernetes/clusters/{ClusterId}/node-pools/{NodePoolId}", FluidstackExamples.Infrastructure.KubernetesNodePool, c => c.GetKubernetesNodePoolAsync(ProjectId, ClusterId, NodePoolId));
        var slurm = await GetAsync($"/slurm/clusters/{ClusterId}", FluidstackExamples.Infrastructure.SlurmCluster, c => c.GetSlurmClusterAsync(ProjectId, ClusterId));
        var slurmPool = await GetAsync($"/slurm/clusters/{ClusterId}/node-pools/{NodePoolId}", FluidstackExamples.Infrastructure.SlurmNodePool, c => c.GetSlurmNodePoolAsync(ProjectId, ClusterId, NodePoolId));

        var node = pool.Nodes![0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That((filesystem.Id, filesystem.Name, filesystem.Size), Is.EqualTo((FilesystemId, "fs-1", "512Gi")));
            Assert.That(cluster.Endpoint, Is.EqualTo(new Uri("https://api.cluster-01.example.com")));
            Assert.That(cluster.Version, Is.EqualTo("1.32.1"));
            Assert.That((pool.Name, pool.Cluster, pool.Type, pool.Count, pool.Version), Is.EqualTo(("pool-01", "cluster-01", "h100-hgx-80gb.8x", 3, "1.32.1")));
            Assert.That(pool.Nodes, Has.Count.EqualTo(2));
            Assert.That(node.InstanceID, Is.EqualTo(Guid.Parse("046b6c7f-0b8a-43b9-b35d-6489e6daee91")));
            Assert.That(node.State, Is.EqualTo("ready"));
            Assert.That(node.CreatedAt, Is.EqualTo(new DateTimeOffset(2023, 10, 1, 12, 0, 0, TimeSpan.Zero)));
            Assert.That(node.Accelerator!.Type, Is.EqualTo("nvidia/gpu"));
            Assert.That(node.Accelerator.Product, Is.EqualTo("NVIDIA-H100-80GB-HBM3"));
            Assert.That(node.Conditions[0].Status, Is.EqualTo("True"));
            Assert.That(node.Taints![0].Effect, Is.EqualTo("NoSchedule"));
            Assert.That(node.Labels, Does.ContainKey("node-role.kubernetes.io/worker").WithValue(string.Empty));
            Assert.That(slurm.Version, Is.EqualTo("24.05.6"));
            Assert.That(slurm.LoginNodes![0].PublicIP, Is.EqualTo("203.0.113.0"));
            Assert.That(slurmPool.Nodes[0].SlurmdVersion, Is.EqualTo("24.05.7"));
            Assert.That(slurmPool.Nodes[0].States, Is.EqualTo(new[] { "states", "states" }));
        }
    }

    [Test]
    public async Task Kubeconfig_credentials_are_read_only_from_a_json_base64_string()
    {
        var bytes = await GetAsync($"/kubernetes/clusters/{ClusterId}/credentials", $"\"{KubeconfigBase64}\"", c => c.GetKubernetesClusterCredentialsAsync(ProjectId, ClusterId));

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo("apiVersion: v1\nkind: Config\n"));
    }

    [TestCase("apiVersion: v1\nkind: Config\n", TestName = "{m}(raw YAML)")]
    [TestCase("YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnCg==", TestName = "{m}(bare base64 text)")]
    public void Kubeconfig_credentials_in_the_declared_application_yaml_form_cannot_be_read(string body)
    {
        // The spec declares `application/yaml` with a base64 `format: byte` string; NSwag reads every body as JSON,
        // so only a JSON-quoted base64 string works. Either plausible server answer fails with status 200.
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/kubernetes/clusters/{ClusterId}/credentials").Respond(HttpStatusCode.OK, "application/yaml", body);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackInfrastructureApiException>(() => CreateClient(http).GetKubernetesClusterCredentialsAsync(ProjectId, ClusterId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(200));
            Assert.That(ex.Message, Does.StartWith("Could not deserialize the response body"));
        }
    }

    [Test]
    public async Task Kubeconfig_request_asks_for_application_yaml()
    {
        using var mock = Mock.CreateHandler();
        var expectation = mock.Expect(HttpMethod.Get, $"{Base}/kubernetes/clusters/{ClusterId}/credentials")
            .With(r => r.Headers.Accept.Any(a => a.MediaType == "application/yaml"))
            .Respond(HttpStatusCode.OK, Mock.Json, $"\"{KubeconfigBase64}\"");
        using var http = mock.ToHttpClient();

        await CreateClient(http).GetKubernetesClusterCredentialsAsync(ProjectId, ClusterId);

        Assert.That(mock.GetMatchCount(expectation), Is.EqualTo(1));
    }

    // ---------------------------------------------------------------------------------------- errors

    private static ErrorCase<IFluidstackInfrastructureClient> Error(string operation, HttpMethod method, string path, Func<IFluidstackInfrastructureClient, Task> call, int status, string message) =>
        new() { Operation = operation, Method = method, Url = Base + path, Call = call, Status = status, Body = FluidstackExamples.Infrastructure.Error(message), ExpectedMessage = message };

    private static IEnumerable<ErrorCase<IFluidstackInfrastructureClient>> ErrorCases()
    {
        yield return Error(nameof(IFluidstackInfrastructureClient.ListProjectsAsync), HttpMethod.Get, "/projects", c => c.ListProjectsAsync(), 403, "Forbidden");
        yield return Error(nameof(IFluidstackInfrastructureClient.CreateProjectAsync), HttpMethod.Post, "/projects", c => c.CreateProjectAsync(new ProjectsPostRequest { Name = "" }), 400, "Invalid input");
        yield return Error(nameof(IFluidstackInfrastructureClient.GetProjectAsync), HttpMethod.Get, $"/projects/{ProjectId}", c => c.GetProjectAsync(ProjectId), 404, "Project not found");
        yield return Error(nameof(IFluidstackInfrastructureClient.DeleteProjectAsync), HttpMethod.Delete, $"/projects/{ProjectId}", c => c.DeleteProjectAsync(ProjectId), 501, "Not implemented");
        yield return Error(nameof(IFluidstackInfrastructureClient.ListInstancesAsync), HttpMethod.Get, "/instances", c => c.ListInstancesAsync(ProjectId), 403, "Forbidden");
        yield return Error(nameof(IFluidstackInfrastructureClient.ListInstancesAsync), HttpMethod.Get, "/instances", c => c.ListInstancesAsync(ProjectId), 404, "Project not found");
        yield return Error(nameof(IFluidstackInfrastructureClient.CreateInstanceAsync), HttpMethod.Post, "/instances", c => c.CreateInstanceAsync(ProjectId, CreateInstanceRequest()), 400, "Invalid input");
        yield return Error(nameof(IFluidstackInfrastructureClient.CreateInstanceAsync), HttpMethod.Post, "/instances", c => c.CreateInstanceAsync(ProjectId, CreateInstanceRequest()), 500, "Server error");
        yield return Error(nameof(IFluidstackInfrastructureClient.GetInstanceAsync), HttpMethod.Get, $"/instances/{InstanceId}", c => c.GetInstanceAsync(ProjectId, InstanceId), 404, "Instance not found");
        yield return Error(nameof(IFluidstackInfrastructureClient.DeleteInstanceAsync), HttpMethod.Delete, $"/instances/{InstanceId}", c => c.DeleteInstanceAsync(ProjectId, InstanceId), 404, "Instance not found");
        yield return Error(nameof(IFluidstackInfrastructureClient.StartInstanceAsync), HttpMethod.Post, $"/instances/{InstanceId}/actions/start", c => c.StartInstanceAsync(ProjectId, InstanceId), 400, "Invalid input");
        yield return Error(nameof(IFluidstackInfrastructureClient.StartInstanceAsync), HttpMethod.Post, $"/instances/{InstanceId}/actions/start", c => c.StartInstanceAsync(ProjectId, InstanceId), 409, "Instance state conflict");
        yield return Error(nameof(IFluidstackInfrastructureClient.StopInstanceAsync), HttpMethod.Post, $"/instances/{InstanceId}/actions/stop", c => c.StopInstanceAsync(ProjectId, InstanceId), 409, "Instance state conflict");
        yield return Error(nameof(IFluidstackInfrastructureClient.StopInstanceAsync), HttpMethod.Post, $"/instances/{InstanceId}/actions/stop", c => c.StopInstanceAsync(ProjectId, InstanceId), 501, "Not implemented");
        yield return Error(nameof(IFluidstackInfrastructureClient.ListInstanceTypesAsync), HttpMethod.Get, "/instance-types", c => c.ListInstanceTypesAsync(), 500, "Server error");
        yield return Error(nameof(IFluidstackInfrastructureClient.ListInstanceTypesAsync), HttpMethod.Get, "/instance-types", c => c.ListInstanceTypesAsync(), 501, "Not implemented");
        yield return Error(nameof(IFluidstackInfrastructureClient.ListCapacityAsync), HttpMethod.Get, "/capacity", c => c.ListCapacityAsync(ProjectId), 501, "Not implemented");
        yield return Error(nameof(IFluidstackInfrastructureClient.ListCapabilitiesAsync), HttpMethod.Get, "/capabilities", c => c.ListCapabilitiesAsync(), 500, "Server error");
        yield return Error(nameof(IFluidstackInfrastructureClient.CreateFilesystemAsync), HttpMethod.Post, "/filesystems", c => c.CreateFilesystemAsync(ProjectId, new FilesystemsPostRequest { Name = "fs-1", Size = "lots" }), 400, "Invalid input");
        yield return Error(nameof(IFluidstackInfrastructureClient.GetFilesystemAsync), HttpMethod.Get, $"/filesystems/{FilesystemId}", c => c.GetFilesystemAsync(ProjectId, FilesystemId), 404, "Filesystem not found");
        yield return Error(nameof(IFluidstackInfrastructureClient.CreateKubernetesClusterAsync), HttpMethod.Post, "/kubernetes/clusters", c => c.CreateKubernetesClusterAsync(ProjectId, new KubernetesClustersPostRequest { Name = "cluster-01" }), 409, "Cluster already exists");
        yield return Error(nameof(IFluidstackInfrastructureClient.GetKubernetesClusterCredentialsAsync), HttpMethod.Get, $"/kubernetes/clusters/{ClusterId}/credentials", c => c.GetKubernetesClusterCredentialsAsync(ProjectId, ClusterId), 404, "Kubernetes cluster not found");
        yield return Error(nameof(IFluidstackInfrastructureClient.CreateKubernetesNodePoolAsync), HttpMethod.Post, $"/kubernetes/clusters/{ClusterId}/node-pools", c => c.CreateKubernetesNodePoolAsync(ProjectId, ClusterId, new KubernetesNodePoolPostRequest { Name = "pool-01", Type = "h100-hgx-80gb.8x", Count = 3 }), 409, "Node pool already exists");
        yield return Error(nameof(IFluidstackInfrastructureClient.CreateSlurmNodePoolAsync), HttpMethod.Post, $"/slurm/clusters/{ClusterId}/node-pools", c => c.CreateSlurmNodePoolAsync(ProjectId, ClusterId, new SlurmNodePoolPostRequest { Name = "pool-01", Type = "h100-hgx-80gb.8x", Count = 3 }), 409, "Node pool already exists");
        yield return Error(nameof(IFluidstackInfrastructureClient.GetSlurmClusterAsync), HttpMethod.Get, $"/slurm/clusters/{ClusterId}", c => c.GetSlurmClusterAsync(ProjectId, ClusterId), 404, "Cluster not found");
    }

    private static IEnumerable<TestCaseData> Errors() =>
        ErrorCases().Select(e => new TestCaseData(e).SetArgDisplayNames(e.ToString()));

    [TestCaseSource(nameof(Errors))]
    public void Documented_error_throws_FluidstackInfrastructureApiException_with_status_raw_body_and_message(ErrorCase<IFluidstackInfrastructureClient> error)
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(error.Method, error.Url).WithHeaders(AuthHeader, Bearer).Respond((HttpStatusCode)error.Status, Mock.Json, error.Body);
        using var http = mock.ToHttpClient();
        Authenticate(http.DefaultRequestHeaders);
        var client = new FluidstackInfrastructureClient(http) { BaseUrl = Base, ReadResponseAsString = true };

        var ex = Assert.ThrowsAsync<FluidstackInfrastructureApiException<Error>>(() => error.Call(client));

        mock.VerifyNoOutstandingExpectation();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(error.Status));
            Assert.That(ex.Response, Is.EqualTo(error.Body));
            Assert.That(ex.Result.Message, Is.EqualTo(error.ExpectedMessage));
        }
    }

    [Test]
    public void With_default_settings_the_typed_exception_has_the_message_but_no_raw_body()
    {
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Post, $"{Base}/instances/{InstanceId}/actions/stop").Respond(HttpStatusCode.Conflict, Mock.Json, FluidstackExamples.Infrastructure.Error("Instance state conflict"));
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackInfrastructureApiException<Error>>(() => CreateClient(http).StopInstanceAsync(ProjectId, InstanceId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(409));
            Assert.That(ex.Response, Is.Empty);
            Assert.That(ex.Result.Message, Is.EqualTo("Instance state conflict"));
        }
    }

    [Test]
    public void Undeclared_401_throws_the_base_exception_with_the_raw_body()
    {
        // No regional operation declares 401 (fluidstack-api-notes.md 2.1); an expired token lands here.
        var body = FluidstackExamples.Infrastructure.Error("Unauthorized");
        using var mock = Mock.CreateHandler();
        mock.Expect(HttpMethod.Get, $"{Base}/instances").Respond(HttpStatusCode.Unauthorized, Mock.Json, body);
        using var http = mock.ToHttpClient();

        var ex = Assert.ThrowsAsync<FluidstackInfrastructureApiException>(() => CreateClient(http).ListInstancesAsync(ProjectId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.Not.InstanceOf<FluidstackInfrastructureApiException<Error>>());
            Assert.That(ex!.StatusCode, Is.EqualTo(401));
            Assert.That(ex.Response, Is.EqualTo(body));
        }
    }
}
