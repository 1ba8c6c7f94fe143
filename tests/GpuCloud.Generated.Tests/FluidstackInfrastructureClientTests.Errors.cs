using GpuCloud.Generated.Fluidstack.Infrastructure;

namespace GpuCloud.Generated.Tests;

public partial class FluidstackInfrastructureClientTests
{
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
    public void DocumentedErrorThrowsFluidstackInfrastructureApiExceptionWithStatusRawBodyAndMessage(ErrorCase<IFluidstackInfrastructureClient> error)
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
    public void WithDefaultSettingsTheTypedExceptionHasTheMessageButNoRawBody()
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
    public void Undeclared401ThrowsTheBaseExceptionWithTheRawBody()
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
