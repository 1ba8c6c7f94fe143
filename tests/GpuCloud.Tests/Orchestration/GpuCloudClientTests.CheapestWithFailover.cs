namespace GpuCloud.Tests;

public partial class GpuCloudClientTests
{
    private static GpuInstance ReadyAfterOnePoll(string provider, string id, int n) =>
        Build.Instance(provider, id, n == 1 ? InstanceState.Provisioning : InstanceState.Running, reachable: n > 1);

    [Test]
    public async Task Cheapest_CapacityRefusedAtCreate_MovesToTheNextPlan()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "alpha") };
        alpha.Plans.Add(Build.Plan("alpha", "a-cheap", 1m));
        var beta = new FakeProvider("beta") { OnGet = (id, n) => ReadyAfterOnePoll("beta", id, n) };
        beta.Plans.Add(Build.Plan("beta", "b-dearer", 2m));
        using var client = new GpuCloudClient([alpha, beta], Options(), time);

        var instance = await time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Provider, Is.EqualTo("beta"));
            Assert.That(instance.Id, Is.EqualTo("b-dearer-i"));
            Assert.That(instance.IsReady, Is.True);
            Assert.That(alpha.Created.Select(r => r.TargetPlanId), Is.EqualTo(new[] { "a-cheap" }));
            Assert.That(alpha.Deleted, Is.Empty, "nothing was created, so nothing to clean up");
            Assert.That(beta.Deleted, Is.Empty);
        }
    }

    [Test]
    public async Task Cheapest_OutOfStockAfterCreate_IsCleanedUp_ThenTheNextPlanIsCreated()
    {
        var time = new TrackedClock();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var alpha = new FakeProvider("alpha")
        {
            SharedLog = log,
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable, providerState: "out-of-stock"),
        };
        alpha.Plans.Add(Build.Plan("alpha", "a-cheap", 1m));
        var beta = new FakeProvider("beta") { SharedLog = log, OnGet = (id, n) => ReadyAfterOnePoll("beta", id, n) };
        beta.Plans.Add(Build.Plan("beta", "b-dearer", 2m));
        using var client = new GpuCloudClient([alpha, beta], Options(), time);

        var instance = await time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template()));

        var calls = log.ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("b-dearer-i"));
            Assert.That(instance.IsReady, Is.True);
            Assert.That(alpha.Deleted.Distinct(), Is.EqualTo(new[] { "a-cheap-i" }), "the out-of-stock husk is deleted");
            Assert.That(beta.Deleted, Is.Empty);
            Assert.That(calls.IndexOf("alpha Delete a-cheap-i"), Is.GreaterThan(calls.IndexOf("alpha Create a-cheap")));
            Assert.That(calls.IndexOf("alpha Delete a-cheap-i"), Is.LessThan(calls.IndexOf("beta Create b-dearer")), "cleanup happens before moving on");
        }
    }

    [Test]
    public async Task Cheapest_OutOfStockAfterCreate_IsDeletedOnce()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable, providerState: "out-of-stock"),
        };
        alpha.Plans.Add(Build.Plan("alpha", "a-cheap", 1m));
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alpha.Deleted, Has.Count.EqualTo(1));
            Assert.That(ex.Attempts.Single().Message, Does.Not.Contain("could NOT be deleted"));
        }
    }

    [Test]
    public async Task Cheapest_OverHttp_FluidstackOutOfStock_DeleteSent_ThenTheFallbackPlan()
    {
        using var http = new RecordingHttp();
        var instanceUrl = FluidstackJson.Sandbox + "/instances/" + FluidstackJson.InstanceGuid;
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.SandboxOnly);
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/instance-types", FluidstackJson.InstanceTypes);
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/capacity", FluidstackJson.Capacity);
        http.Json(HttpMethod.Post, FluidstackJson.Sandbox + "/instances", FluidstackJson.Instance("creating", ip: null), HttpStatusCode.Created);
        http.Json(HttpMethod.Get, instanceUrl, FluidstackJson.Instance("out-of-stock", ip: null));
        http.Sequence(HttpMethod.Delete, instanceUrl, (HttpStatusCode.NoContent, null), (HttpStatusCode.NotFound, FluidstackJson.Error("gone")));
        var time = new TrackedClock();
        using var fluidstack = Build.Fluidstack(http, time);
        var beta = new FakeProvider("beta") { OnGet = (id, n) => ReadyAfterOnePoll("beta", id, n) };
        beta.Plans.Add(Build.Plan("beta", "b-h100", 30m, Build.Gpu("H100", 8)));
        using var client = new GpuCloudClient([fluidstack, beta], Options(), time);

        var instance = await time.DriveAsync(client.CreateCheapestAsync(new PlanQuery { GpuModels = ["h100"] }, Template() with { Tags = new Dictionary<string, string>() }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Provider, Is.EqualTo("beta"), "23.92 on Fluidstack was cheaper but out of stock");
            Assert.That(http.Sent(HttpMethod.Post, FluidstackJson.Sandbox + "/instances"), Has.Count.EqualTo(1));
            Assert.That(http.Sent(HttpMethod.Delete, instanceUrl), Is.Not.Empty, "the out-of-stock instance is deleted");
            Assert.That(beta.Created.Single().TargetPlanId, Is.EqualTo("b-h100"));
        }
    }

    [Test]
    public async Task Cheapest_NonCapacityError_StopsTheWalk_WithEveryAttemptListed()
    {
        var time = new TrackedClock();
        var funds = new GpuCloudException(GpuCloudErrorCode.InsufficientFunds, "beta: InsufficientFunds (HTTP 400): Insufficient balance", "beta")
        {
            StatusCode = HttpStatusCode.BadRequest, ProviderMessage = "Insufficient balance",
        };
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "alpha") };
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        var beta = new FakeProvider("beta") { OnCreate = _ => throw funds };
        beta.Plans.Add(Build.Plan("beta", "b2", 2m));
        var gamma = new FakeProvider("gamma");
        gamma.Plans.Add(Build.Plan("gamma", "c3", 3m));
        using var client = new GpuCloudClient([alpha, beta, gamma], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.InsufficientFunds));
            Assert.That(ex.Message, Does.Contain("tried 2 of 3 plans"));
            Assert.That(ex.Message, Does.Contain("alpha plan a1: CapacityUnavailable").And.Contain("beta plan b2: InsufficientFunds"));
            Assert.That(ex.Attempts.Select(a => (a.Provider, a.PlanId, a.Code)), Is.EqualTo(new[]
            {
                ("alpha", "a1", GpuCloudErrorCode.CapacityUnavailable), ("beta", "b2", GpuCloudErrorCode.InsufficientFunds),
            }));
            Assert.That(ex.Provider, Is.EqualTo("beta"));
            Assert.That(ex.InnerException, Is.SameAs(funds));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(ex.ProviderMessage, Is.EqualTo("Insufficient balance"));
            Assert.That(gamma.Created, Is.Empty, "the walk stopped");
        }
    }

    [Test]
    public async Task Cheapest_EveryPlanWithoutCapacity_IsCapacityUnavailable()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "alpha") };
        alpha.Plans.AddRange([Build.Plan("alpha", "a1", 1m), Build.Plan("alpha", "a2", 2m)]);
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.CapacityUnavailable));
            Assert.That(ex.Message, Does.Contain("tried 2 of 2 plans"));
            Assert.That(ex.Attempts, Has.Count.EqualTo(2));
            Assert.That(ex.InnerException, Is.Null);
        }
    }

    [Test]
    public async Task Cheapest_NoPlanMatches_ListsTheSearchFailures()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha");
        alpha.Plans.Add(Build.Plan("alpha", "a100", 1m, Build.Gpu("A100")));
        var beta = new FakeProvider("beta") { ListPlansError = Build.Error(GpuCloudErrorCode.ProviderUnavailable, "beta") };
        using var client = new GpuCloudClient([alpha, beta], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery { GpuModels = ["H100"] }, Template())));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.CapacityUnavailable));
            Assert.That(ex.Message, Does.Contain("no plan matched (0 candidates)").And.Contain("not searched: beta (ProviderUnavailable)"));
            Assert.That(ex.Attempts, Is.Empty);
            Assert.That(alpha.Created, Is.Empty);
        }
    }

    [Test]
    public async Task Cheapest_SkipsPlansReportedUnavailable_AndCarriesTheTemplate()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, n) => ReadyAfterOnePoll("alpha", id, n) };
        alpha.Plans.AddRange([
            Build.Plan("alpha", "sold-out", 0.5m, availability: PlanAvailability.Unavailable),
            Build.Plan("alpha", "available", 1m, availability: PlanAvailability.Available),
        ]);
        using var client = new GpuCloudClient([alpha], Options(), time);

        await time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template()));

        var request = alpha.Created.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Plan!.Id, Is.EqualTo("available"));
            Assert.That(request.Provider, Is.Null, "the template's plan fields are replaced");
            Assert.That(request.PlanId, Is.Null);
            Assert.That(request.TargetProvider, Is.EqualTo("alpha"));
            Assert.That(request.Name, Is.EqualTo("trainer-1"));
            Assert.That(request.SshPublicKeys, Is.EqualTo(new[] { TestKeys.Ed25519 }));
            Assert.That(request.Tags, Is.EqualTo(new Dictionary<string, string> { ["team"] = "ml" }));
        }
    }

    [TestCase(1, "tried 1 of 3 plans", 1)]
    [TestCase(2, "tried 2 of 3 plans", 2)]
    public async Task Cheapest_MaxAttempts_LimitsTheWalk(int maxAttempts, string expected, int creates)
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "alpha") };
        alpha.Plans.AddRange([Build.Plan("alpha", "a1", 1m), Build.Plan("alpha", "a2", 2m), Build.Plan("alpha", "a3", 3m)]);
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template(), maxAttempts)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain(expected));
            Assert.That(alpha.Created, Has.Count.EqualTo(creates));
        }
    }

    [Test]
    public async Task Cheapest_MaxCreateAttemptsOption_IsTheDefaultLimit()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.CapacityUnavailable, "alpha") };
        alpha.Plans.AddRange(Enumerable.Range(1, 4).Select(i => Build.Plan("alpha", $"a{i}", i)));
        using var client = new GpuCloudClient([alpha], Options(maxAttempts: 3), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        Assert.That(ex.Message, Does.Contain("tried 3 of 4 plans"));
    }

    [Test]
    public void Cheapest_ZeroAttempts_IsRefused()
    {
        using var client = new GpuCloudClient([new FakeProvider("alpha")], Options(), new TrackedClock());

        Assert.That(() => client.CreateCheapestAsync(new PlanQuery(), Template(), 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task Cheapest_ReadyTimeout_DeletesTheInstance_AndStops()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Provisioning) };
        alpha.Plans.AddRange([Build.Plan("alpha", "a1", 1m), Build.Plan("alpha", "a2", 2m)]);
        using var client = new GpuCloudClient([alpha], Options(readyTimeout: TimeSpan.FromSeconds(30)), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Attempts.Single().Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Attempts.Single().Message, Does.Contain("instance a1-i was deleted"));
            Assert.That(alpha.Deleted, Is.EqualTo(new[] { "a1-i" }));
            Assert.That(alpha.Created, Has.Count.EqualTo(1), "a timeout is not a capacity problem: the walk stops");
        }
    }

    [Test]
    public async Task Cheapest_CleanupFailing_IsReportedInTheAttempt()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, providerState: "error"),
            OnDelete = (_, _) => throw Build.Error(GpuCloudErrorCode.Conflict),
        };
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.CreateCheapestAsync(new PlanQuery(), Template())));

        Assert.That(ex.Attempts.Single().Message, Does.Contain("could NOT be deleted").And.Contain("delete it yourself"));
    }

    [Test]
    public async Task Cheapest_CancelledWhileWaiting_DeletesWhatItCreated_AndRethrows()
    {
        var time = new TrackedClock();
        var deleteTokenWasCancelled = new List<bool>();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Provisioning),
            OnDelete = (_, token) => deleteTokenWasCancelled.Add(token.IsCancellationRequested),
        };
        alpha.Plans.AddRange([Build.Plan("alpha", "a1", 1m), Build.Plan("alpha", "a2", 2m)]);
        using var client = new GpuCloudClient([alpha], Options(), time);
        using var cts = new CancellationTokenSource();

        var timer = time.NextTimerCreatedAsync();
        var walk = client.CreateCheapestAsync(new PlanQuery(), Template(), cancellationToken: cts.Token);
        await HangGuard.WhenAnyAsync(timer, walk);
        Assert.That(walk.IsCompleted, Is.False, "the walk should be waiting for the instance");
        time.AdvanceToNextTimer(); // one more poll
        await cts.CancelAsync();

        Assert.That(async () => await walk, Throws.InstanceOf<OperationCanceledException>());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(alpha.Deleted, Is.EqualTo(new[] { "a1-i" }));
            Assert.That(deleteTokenWasCancelled, Is.EqualTo(new[] { false }), "cleanup does not use the caller's cancelled token");
            Assert.That(alpha.Created, Has.Count.EqualTo(1), "a cancelled walk tries no further plan");
        }
    }

    [Test]
    public async Task Cheapest_CancelledDuringCleanupTimeout_StillReturnsOperationCanceled()
    {
        // A delete that never finishes is abandoned after CleanupTimeout (on the fake clock).
        var time = new TrackedClock();
        var deleteStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var alpha = new HangingDeleteProvider("alpha", deleteStarted);
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        using var client = new GpuCloudClient([alpha], Options(), time);
        using var cts = new CancellationTokenSource();

        var timer = time.NextTimerCreatedAsync();
        var walk = client.CreateCheapestAsync(new PlanQuery(), Template(), cancellationToken: cts.Token);
        await HangGuard.WhenAnyAsync(timer, walk);
        await cts.CancelAsync();
        await HangGuard.WhenAnyAsync(deleteStarted.Task, walk);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.That(async () => await walk, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(alpha.DeleteCancelledByCleanupTimeout, Is.True);
    }

    [Test]
    public async Task Create_UnknownOutcome_ReturnsTheInstanceThatAppeared_NeverAnOlderOneWithTheName()
    {
        var alpha = new FakeProvider("alpha");
        alpha.OnCreate = _ =>
        {
            alpha.Instances.Add(Build.Instance("alpha", "mine", InstanceState.Provisioning) with { Name = "trainer-1" });
            throw Build.Error(GpuCloudErrorCode.Timeout, "alpha");
        };
        alpha.Instances.Add(Build.Instance("alpha", "old", InstanceState.Terminated) with { Name = "trainer-1" });
        alpha.Instances.Add(Build.Instance("alpha", "older", InstanceState.Running) with { Name = "trainer-1", CreatedAt = DateTimeOffset.MaxValue });
        alpha.Instances.Add(Build.Instance("alpha", "other", InstanceState.Running) with { Name = "someone-else" });
        using var client = new GpuCloudClient([alpha], Options(), new TrackedClock());

        var instance = await client.CreateInstanceAsync(Template() with { Provider = "alpha", PlanId = "p" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Id, Is.EqualTo("mine"), "the older running 'trainer-1' (even one reporting a later CreatedAt) is not this call's");
            Assert.That(alpha.Calls, Is.EqualTo(new[] { "ListInstances", "Create p", "ListInstances" }));
        }
    }

    [Test]
    public void Create_UnknownOutcome_OnlyOlderInstancesWithTheName_NoneIsReturned_NoneDeleted()
    {
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.Timeout, "alpha") };
        alpha.Instances.Add(Build.Instance("alpha", "older", InstanceState.Running) with { Name = "trainer-1" });
        alpha.Instances.Add(Build.Instance("alpha", "oldest", InstanceState.Provisioning) with { Name = "trainer-1" });
        using var client = new GpuCloudClient([alpha], Options(), new TrackedClock());

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Template() with { Provider = "alpha", PlanId = "p" }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("may exist on alpha").And.Contain("'trainer-1'").And.Contain("2 older instance(s)"));
            Assert.That(alpha.Deleted, Is.Empty);
        }
    }

    [Test]
    public void Create_UnknownOutcome_NothingFound_ThrowsTheTransportsCode()
    {
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.ProviderUnavailable, "alpha") };
        using var client = new GpuCloudClient([alpha], Options(), new TrackedClock());

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Template() with { Provider = "alpha", PlanId = "p" }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(alpha.Calls, Is.EqualTo(new[] { "ListInstances", "Create p", "ListInstances" }));
        }
    }

    [Test]
    public void Create_RefusedOutright_DoesNotLookForTheInstance()
    {
        var alpha = new FakeProvider("alpha") { OnCreate = _ => throw Build.Error(GpuCloudErrorCode.InsufficientFunds, "alpha") };
        using var client = new GpuCloudClient([alpha], Options(), new TrackedClock());

        Assert.ThrowsAsync<GpuCloudException>(() => client.CreateInstanceAsync(Template() with { Provider = "alpha", PlanId = "p" }));
        Assert.That(alpha.Calls, Is.EqualTo(new[] { "ListInstances", "Create p" }), "only the list taken before the create");
    }
}
