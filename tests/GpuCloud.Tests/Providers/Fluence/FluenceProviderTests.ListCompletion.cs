using System.Net;
using GpuCloud.Testing;
using static GpuCloud.Tests.Support.FluenceJson;

namespace GpuCloud.Tests;

/// <summary>
/// Fluence's list endpoints carry no connection details and no price (docs, manage_instances; only a detail has
/// <c>network</c>, <c>ssh_connection</c> and <c>billing</c>): the provider completes the rows that need them.
/// </summary>
public partial class FluenceProviderTests
{
    [Test]
    public async Task ListInstances_LiveRows_CarryWhatTheirDetailShows()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, ContainerInstancesUrl, ContainerInstances);
        http.Json(HttpMethod.Get, VmInstancesUrl, VmInstances);
        http.Json(HttpMethod.Get, BareMetalInstancesUrl, "[]");
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, ContainerDetail());
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail());
        using var fluence = Build.Fluence(http);

        var instances = (await fluence.ListInstancesAsync()).ToDictionary(i => i.Id);
        var container = instances["container:" + ActiveContainerId];
        var vm = instances["vm:" + ActiveVmId];
        var detailOfContainer = await fluence.GetInstanceAsync(container.Id);
        var detailOfVm = await fluence.GetInstanceAsync(vm.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(container.Ssh, Is.EqualTo(new SshEndpoint("provider.a100.pub", 32345, "root")));
            Assert.That(container.PricePerHour, Is.EqualTo(1.22m));
            Assert.That(container.IsReady, Is.True);
            Assert.That(vm.Ssh, Is.EqualTo(new SshEndpoint("216.81.248.90", 22, "ubuntu")));
            Assert.That(vm.PricePerHour, Is.EqualTo(0.76m));
            Assert.That(container with { ForwardedPorts = [] }, Is.EqualTo(detailOfContainer with { ForwardedPorts = [] }));
            Assert.That(container.ForwardedPorts, Is.EqualTo(detailOfContainer.ForwardedPorts));
            Assert.That(vm with { ForwardedPorts = [] }, Is.EqualTo(detailOfVm with { ForwardedPorts = [] }));
            // ENDED and FAILED rows have nothing more to show: no detail is read for them.
            Assert.That(instances, Has.Count.EqualTo(4));
            Assert.That(http.Sent(HttpMethod.Get, ContainerInstancesUrl + EndedContainerId), Is.Empty);
            Assert.That(http.Sent(HttpMethod.Get, VmInstancesUrl + "/" + FailedVmId), Is.Empty);
        }
    }

    [Test]
    public async Task ListInstances_OneDetailFails_CostsThatRowItsExtraFieldsWithAWarning()
    {
        using var http = new RecordingHttp();
        using var logs = new TestLogs();
        http.Json(HttpMethod.Get, ContainerInstancesUrl, ContainerInstances);
        http.Json(HttpMethod.Get, VmInstancesUrl, VmInstances);
        http.Json(HttpMethod.Get, BareMetalInstancesUrl, "[]");
        http.Json(HttpMethod.Get, ContainerInstancesUrl + ActiveContainerId, """{"detail": "upstream hiccup"}""", HttpStatusCode.BadGateway);
        http.Json(HttpMethod.Get, VmInstancesUrl + "/" + ActiveVmId, VmDetail());
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = Build.FluenceKey, BaseUrl = new Uri(Base) }, http.Handler, logs.CreateLogger("test"));

        var instances = (await fluence.ListInstancesAsync()).ToDictionary(i => i.Id);
        var container = instances["container:" + ActiveContainerId];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instances, Has.Count.EqualTo(4));
            Assert.That(container.State, Is.EqualTo(InstanceState.Running));
            Assert.That(container.PublicAddress, Is.EqualTo("provider.a100.pub"), "the list's own fields stay");
            Assert.That(container.Ssh, Is.Null);
            Assert.That(container.PricePerHour, Is.Null);
            Assert.That(instances["vm:" + ActiveVmId].Ssh, Is.Not.Null, "the other rows are completed");
            Assert.That(logs.Records.Select(r => r.Message), Has.One.Contains("container:" + ActiveContainerId).And.Contains("without its SSH endpoint, price").And.Contains("upstream hiccup"));
        }
    }
}
