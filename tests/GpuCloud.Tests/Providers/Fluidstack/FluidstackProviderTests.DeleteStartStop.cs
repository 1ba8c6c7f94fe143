using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

public partial class FluidstackProviderTests
{
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
}
