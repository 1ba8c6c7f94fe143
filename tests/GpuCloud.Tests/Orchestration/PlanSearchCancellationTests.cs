namespace GpuCloud.Tests.Orchestration;

/// <summary>A provider's own cancellation (such as its HTTP timeout) is that provider's failure, not the whole search's.</summary>
public sealed class PlanSearchCancellationTests
{
    [Test]
    public async Task AProviderCancelledWithoutTheCaller_IsAFailureOfThatProvider_AndTheOthersAnswer()
    {
        var alpha = new FakeProvider("alpha") { ListPlansError = new OperationCanceledException("the provider's own timeout") };
        var beta = new FakeProvider("beta");
        beta.Plans.Add(Build.Plan("beta", "b1", 1m));
        using var client = new GpuCloudClient([alpha, beta], new GpuCloudOptions(), new FakeTimeProvider());

        var found = await client.ListPlansAsync(new PlanQuery());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found.Plans.Select(p => p.Id), Is.EqualTo(new[] { "b1" }));
            Assert.That(found.Failures.Select(f => f.Provider), Is.EqualTo(new[] { "alpha" }));
        }
    }
}
