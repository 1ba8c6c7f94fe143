using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

public partial class FluenceProviderTests
{
    [Test]
    public async Task DeleteActiveContainer_SendsDelete()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail());
        http.Status(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.NoContent);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Sent(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DeleteActiveVm_SendsDeleteToTheVmPath()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail());
        http.Status(HttpMethod.Delete, VmInstancesUrl + "/" + ActiveVmId, HttpStatusCode.NoContent);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("vm:" + ActiveVmId);

        Assert.That(http.Sent(HttpMethod.Delete, VmInstancesUrl + "/" + ActiveVmId), Has.Count.EqualTo(1));
    }

    [TestCase("ENDED")]
    [TestCase("FAILED")]
    public async Task DeleteFinishedInstance_SendsNothing(string status)
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail(status));
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Delete), Is.Empty);
    }

    [Test]
    public async Task DeleteMissingInstance_CountsAsDeleted()
    {
        using var http = new RecordingHttp();
        http.Status(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.NotFound);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Delete), Is.Empty);
    }

    [Test]
    public void DeleteInitializingInstance_IsAConflict_WithoutSendingDelete()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail("INITIALIZED"));
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.DeleteInstanceAsync("container:" + ActiveContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(ex.Message, Does.Contain("container:" + ActiveContainerId + " is INITIALIZED").And.Contain("Wait until it is ACTIVE, then delete it"));
            Assert.That(http.Requests.Where(r => r.Method == HttpMethod.Delete), Is.Empty);
        }
    }

    // A retried DELETE whose first answer was lost meets Fluence's refusal to terminate an instance that is no longer
    // ACTIVE (docs: "only ACTIVE instances can be terminated"): the instance has ended, so the delete has succeeded.
    [TestCase(HttpStatusCode.Conflict, "ENDED")]
    [TestCase(HttpStatusCode.BadRequest, "ENDED")]
    [TestCase(HttpStatusCode.Conflict, "FAILED")]
    public async Task Delete_RefusedAsNotActive_ByAnInstanceThatHasEnded_Succeeds(HttpStatusCode refusal, string stateAfter)
    {
        using var http = new RecordingHttp();
        http.Sequence(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, (HttpStatusCode.OK, ContainerDetail()), (HttpStatusCode.OK, ContainerDetail(stateAfter)));
        http.Raw(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId, refusal, OnlyActive);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(http.Sent(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(1));
            Assert.That(http.Sent(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(2), "the state is read again after the refusal");
        }
    }

    [Test]
    public async Task Delete_RefusedAsNotActive_ByAnInstanceGoneMeanwhile_Succeeds()
    {
        using var http = new RecordingHttp();
        http.Sequence(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, (HttpStatusCode.OK, ContainerDetail()), (HttpStatusCode.NotFound, null));
        http.Raw(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.Conflict, OnlyActive);
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Sent(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(2));
    }

    [Test]
    public void Delete_RefusedAsNotActive_WhileStillActive_IsTheRefusal()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail());
        http.Raw(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.Conflict, OnlyActive);
        using var fluence = Build.Fluence(http);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => fluence.DeleteInstanceAsync("container:" + ActiveContainerId));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
            Assert.That(ex.ProviderMessage, Is.EqualTo("only ACTIVE instances can be terminated"));
            Assert.That(http.Sent(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(2));
        }
    }

    private const string OnlyActive = """{"detail": "only ACTIVE instances can be terminated"}""";

    [Test]
    public async Task Delete_404OnTheDeleteItself_CountsAsDeleted()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail());
        http.Raw(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId, HttpStatusCode.NotFound, """{"detail": "Instance not found"}""");
        using var fluence = Build.Fluence(http);

        await fluence.DeleteInstanceAsync("container:" + ActiveContainerId);

        Assert.That(http.Sent(HttpMethod.Delete, ContainerInstancesUrl + ActiveContainerId), Has.Count.EqualTo(1));
    }

    [Test]
    public void StartAndStop_AreNotSupported_AndSendNothing()
    {
        using var http = new RecordingHttp();
        using var fluence = Build.Fluence(http);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluence.StartInstanceAsync("vm:" + ActiveVmId))!.Code, Is.EqualTo(GpuCloudErrorCode.NotSupported));
            Assert.That(Assert.ThrowsAsync<GpuCloudException>(() => fluence.StopInstanceAsync("vm:" + ActiveVmId))!.Code, Is.EqualTo(GpuCloudErrorCode.NotSupported));
            Assert.That(http.Requests, Is.Empty);
        }
    }
}
