namespace GpuCloud.Tests;

/// <summary>How a wait that cannot succeed ends: the provider's own reason, and messages that say what happened.</summary>
public partial class GpuCloudClientTests
{
    [Test]
    public async Task Wait_FailedInstance_EndsWithTheProvidersReason()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.InsufficientFunds, providerState: "no-funds"),
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InsufficientFunds));
            Assert.That(ex.Message, Is.EqualTo("alpha: instance i-1 failed (no-funds) while waiting for Running."));
        }
    }

    [Test]
    public async Task Wait_OutOfStock_SaysTheHuskWasDeleted()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable, providerState: "out-of-stock"),
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        Assert.That(ex.Message, Is.EqualTo("alpha: no capacity for instance i-1 (out-of-stock); instance i-1 was deleted"));
    }

    [Test]
    public async Task Wait_TerminatedWhileWaitingForRunning_SaysItWillNotGetThere()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Terminated, providerState: "ENDED") };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        Assert.That(ex.Message, Is.EqualTo("alpha: instance i-1 is Terminated (ENDED) and will not reach Running."));
    }
}
