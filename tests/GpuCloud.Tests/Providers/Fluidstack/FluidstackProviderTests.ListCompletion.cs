using static GpuCloud.Tests.Support.FluidstackJson;

namespace GpuCloud.Tests;

/// <summary>
/// The audit of "a list promises what a detail shows" on Fluidstack: the Management API's instance list carries every
/// field the mapping reads from a detail (state, type, ip, tags, region), so a listed row equals its detail with no
/// extra call. Should Atlas ever drop a field from its list, this is the test that says so.
/// </summary>
public partial class FluidstackProviderTests
{
    [Test]
    public async Task ListInstances_RowEqualsItsDetail_WithoutReadingTheDetail()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ManagementInstancesUrl, $"[{ManagementInstance("sandbox")}]");
        http.Json(HttpMethod.Get, RegionsUrl, Regions);
        http.Json(HttpMethod.Get, Sandbox + "/instances/" + InstanceGuid, Instance());
        using var fluidstack = Build.Fluidstack(http);

        var listed = (await fluidstack.ListInstancesAsync()).Single();
        var requestsForTheList = http.Requests.Count;
        var detail = await fluidstack.GetInstanceAsync(listed.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(requestsForTheList, Is.EqualTo(1), "the list alone");
            Assert.That(listed.Ssh, Is.EqualTo(new SshEndpoint("10.0.0.2", 22, "ubuntu")));
            Assert.That(listed.PricePerHour, Is.EqualTo(23.92m));
            Assert.That(listed with { Tags = detail.Tags }, Is.EqualTo(detail));
            Assert.That(listed.Tags, Is.EqualTo(detail.Tags));
        }
    }
}
