namespace GpuCloud.Tests.Orchestration;

/// <summary>What a wait that meets an out-of-stock instance says, word for word, whoever deletes it (tests/MUTATION.md).</summary>
public sealed class OutOfStockWaitTests
{
    [Test]
    public async Task AnOutOfStockInstance_IsDeleted_AndTheErrorSaysSoInOneSentence()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable, providerState: "out-of-stock"),
        };
        using var client = new GpuCloudClient([alpha], new GpuCloudOptions { PollInterval = TimeSpan.FromSeconds(5) }, time);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        Assert.That(ex!.Message, Is.EqualTo("alpha: no capacity for instance i-1 (out-of-stock); instance i-1 was deleted"));
    }

    [Test]
    public async Task AnOutOfStockInstanceTheCheapestWalkCleansUpItself_IsReportedWithTheWalksCleanupSentenceOnly()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable, providerState: "out-of-stock"),
        };
        alpha.Plans.Add(Build.Plan("alpha", "p1", 1.25m));
        using var client = new GpuCloudClient([alpha], new GpuCloudOptions { PollInterval = TimeSpan.FromSeconds(5) }, time);

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(),
            new CreateInstanceRequest { Name = "trainer-1", SshPublicKeys = [TestKeys.Ed25519] })));

        Assert.That(ex!.Attempts.Single().Message, Is.EqualTo("alpha: no capacity for instance p1-i (out-of-stock) (instance p1-i was deleted)"),
            "the waiter adds no cleanup of its own, not even an empty one, when the walk deletes the instance");
    }
}
