using GpuCloud.Generated.Fluidstack.Infrastructure;

namespace GpuCloud.Generated.Tests;

public partial class FluidstackInfrastructureClientTests
{
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
    public async Task InstanceExampleParses()
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
    public async Task TheSpecUserDataExampleIsBase64EncodedTwice()
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
    public async Task InstanceWithNullIpNullUserDataAndAnUnknownStateKeepsTheRawValues()
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
    public async Task InstanceTypesParseInBothGpuFieldSpellings()
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
    public async Task CapacityCapabilitiesAndProjectExamplesParse()
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
    public async Task FilesystemKubernetesAndSlurmExamplesParse()
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
    public async Task KubeconfigCredentialsAreReadOnlyFromAJsonBase64String()
    {
        var bytes = await GetAsync($"/kubernetes/clusters/{ClusterId}/credentials", $"\"{KubeconfigBase64}\"", c => c.GetKubernetesClusterCredentialsAsync(ProjectId, ClusterId));

        Assert.That(Encoding.UTF8.GetString(bytes), Is.EqualTo("apiVersion: v1\nkind: Config\n"));
    }

    [TestCase("apiVersion: v1\nkind: Config\n", TestName = "{m}(raw YAML)")]
    [TestCase("YXBpVmVyc2lvbjogdjEKa2luZDogQ29uZmlnCg==", TestName = "{m}(bare base64 text)")]
    public void KubeconfigCredentialsInTheDeclaredApplicationYamlFormCannotBeRead(string body)
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
    public async Task KubeconfigRequestAsksForApplicationYaml()
    {
        using var mock = Mock.CreateHandler();
        var expectation = mock.Expect(HttpMethod.Get, $"{Base}/kubernetes/clusters/{ClusterId}/credentials")
            .With(r => r.Headers.Accept.Any(a => a.MediaType == "application/yaml"))
            .Respond(HttpStatusCode.OK, Mock.Json, $"\"{KubeconfigBase64}\"");
        using var http = mock.ToHttpClient();

        await CreateClient(http).GetKubernetesClusterCredentialsAsync(ProjectId, ClusterId);

        Assert.That(mock.GetMatchCount(expectation), Is.EqualTo(1));
    }
}
