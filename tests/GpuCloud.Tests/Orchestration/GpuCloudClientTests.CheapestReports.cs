namespace GpuCloud.Tests;

/// <summary>
/// What a cheapest walk tells its caller: which instance still bills after a cancelled walk's cleanup failed (and
/// nothing when it did not), what each attempt met, what the search could not reach; and which location a plan gets.
/// </summary>
public partial class GpuCloudClientTests
{
    /// <summary>Starts a walk over one plan whose instance stays provisioning, and cancels it once it waits.</summary>
    private static async Task<OperationCanceledException> CancelTheWaitingWalkAsync(FakeProvider alpha, TrackedClock time, CancellationTokenSource cts)
    {
        using var client = new GpuCloudClient([alpha], Options(), time);
        var timer = time.NextTimerCreatedAsync();
        var walk = client.CreateCheapestAsync(new PlanQuery(), Template(), cancellationToken: cts.Token);
        await HangGuard.WhenAnyAsync(timer, walk);
        Assert.That(walk.IsCompleted, Is.False, "the walk should be waiting for the instance");
        await cts.CancelAsync();
        return await ExpectAsync<OperationCanceledException>(walk);
    }

    [Test]
    public async Task Cheapest_CancelledWhileWaiting_CleanupFails_TheCancellationNamesTheInstanceThatStillBills()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Provisioning),
            OnDelete = (_, _) => throw Build.Error(GpuCloudErrorCode.ProviderUnavailable, "alpha"),
        };
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        using var cts = new CancellationTokenSource();

        var ex = await CancelTheWaitingWalkAsync(alpha, time, cts);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain("a1-i").And.Contain("could NOT be deleted").And.Contain("delete it yourself"),
                "the caller learns which instance still bills");
            Assert.That(ex.CancellationToken, Is.EqualTo(cts.Token), "still the caller's own cancellation");
            Assert.That(alpha.Created, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task Cheapest_CancelledWhileWaiting_CleanupSucceeds_TheCancellationClaimsNothingIsLeft()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Provisioning) };
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        using var cts = new CancellationTokenSource();

        var ex = await CancelTheWaitingWalkAsync(alpha, time, cts);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alpha.Deleted, Is.EqualTo(new[] { "a1-i" }));
            Assert.That(ex.Message, Does.Not.Contain("could NOT be deleted").And.Not.Contain("a1-i"), "nothing is left to report");
            Assert.That(ex.CancellationToken, Is.EqualTo(cts.Token));
        }
    }

    [Test]
    public async Task Cheapest_NoPlanHasCapacity_TheErrorListsEachAttempt_AndWhatWasNotSearched()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "alpha") };
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        alpha.PlanFailures.Add(new ProviderFailure("alpha", "r1", Build.Error(GpuCloudErrorCode.Timeout, "alpha")));
        var beta = new FakeProvider("beta") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "beta") };
        beta.Plans.Add(Build.Plan("beta", "b1", 2m));
        var gamma = new FakeProvider("gamma") { ListPlansError = Build.Error(GpuCloudErrorCode.ProviderUnavailable, "gamma") };
        using var client = new GpuCloudClient([alpha, beta, gamma], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.CapacityUnavailable));
            Assert.That(ex.Message, Is.EqualTo("Could not create an instance: tried 2 of 2 plans: alpha plan a1: CapacityUnavailable; beta plan b1: CapacityUnavailable; " +
                "not searched: alpha/r1 (Timeout), gamma (ProviderUnavailable)."));
            Assert.That(ex.Provider, Is.Null, "a walk that ran out of plans is no one provider's failure");
            Assert.That(ex.Attempts.Select(a => a.Message), Is.EqualTo(new[] { "alpha: CapacityUnavailable", "beta: CapacityUnavailable" }),
                "nothing was created, so no cleanup note");
        }
    }

    [Test]
    public async Task Cheapest_EverySearchSucceeded_TheErrorMentionsNoSearchFailure()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "alpha") };
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        Assert.That(ex.Message, Is.EqualTo("Could not create an instance: tried 1 of 1 plans: alpha plan a1: CapacityUnavailable."));
    }

    [Test]
    public void ForPlan_VmPlanInSeveralDataCenters_KeepsTheOneAsked()
    {
        var plan = Build.Plan("fluence", "vm:1", 1m, locations: ["dulles-usa-1", "sanjose-usa-2"]) with { OsImages = ["Ubuntu Server 22.04"] };

        var request = CheapestCreate.ForPlan(MixedTemplate() with { Location = "sanjose-usa-2" }, plan);

        Assert.That(request.Location, Is.EqualTo("sanjose-usa-2"));
    }

    [Test]
    public void ForPlan_APlanMatchedByItsRegionAlone_KeepsTheLocation()
    {
        var plan = Build.Plan("fluidstack", "eu-north-1/cpu", 1m, workload: WorkloadType.Container) with { Region = "eu-north-1", Locations = [] };

        var request = CheapestCreate.ForPlan(MixedTemplate() with { Location = "eu-north-1" }, plan);

        Assert.That(request.Location, Is.EqualTo("eu-north-1"));
    }
}
