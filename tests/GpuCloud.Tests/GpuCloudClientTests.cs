using System.Net;
using GpuCloud;
using GpuCloud.Providers;
using GpuCloud.Tests.Support;

namespace GpuCloud.Tests;

/// <summary>
/// The client over several providers: search with partial failure, waiting on a fake clock, and the
/// cheapest-with-failover create with its cleanup. No test sleeps; time moves only through FakeTimeProvider.
/// </summary>
public class GpuCloudClientTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private static GpuCloudOptions Options(TimeSpan? readyTimeout = null, int maxAttempts = 5) => new()
    {
        PollInterval = Poll,
        ReadyTimeout = readyTimeout ?? TimeSpan.FromMinutes(15),
        CleanupTimeout = TimeSpan.FromMinutes(2),
        MaxCreateAttempts = maxAttempts,
    };

    private static CreateInstanceRequest Template() => new()
    {
        Name = "trainer-1",
        SshPublicKeys = [TestKeys.Ed25519],
        Tags = new Dictionary<string, string> { ["team"] = "ml" },
        Provider = "ignored",
        PlanId = "ignored",
    };

    // ------------------------------------------------------------------------------------------- search

    [Test]
    public async Task Search_OneProviderFailing_ReturnsTheOthersPlans_AndTheFailure()
    {
        var error = Build.Error(GpuCloudErrorCode.ProviderUnavailable, "alpha");
        var alpha = new FakeProvider("alpha") { ListPlansError = error };
        var beta = new FakeProvider("beta");
        beta.Plans.AddRange([Build.Plan("beta", "b1", 2m), Build.Plan("beta", "b2", 1m)]);
        using var client = new GpuCloudClient([alpha, beta]);

        var result = await client.ListPlansAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "b2", "b1" }));
            Assert.That(result.Failures, Has.Count.EqualTo(1));
            Assert.That(result.Failures[0].Provider, Is.EqualTo("alpha"));
            Assert.That(result.Failures[0].Region, Is.Null);
            Assert.That(result.Failures[0].Error, Is.SameAs(error));
        }
    }

    [Test]
    public async Task Search_UnexpectedExceptionFromAProvider_IsAnUnknownFailure()
    {
        var alpha = new FakeProvider("alpha") { ListPlansError = new InvalidOperationException("kaboom") };
        var beta = new FakeProvider("beta");
        beta.Plans.Add(Build.Plan("beta", "b1", 2m));
        using var client = new GpuCloudClient([alpha, beta]);

        var result = await client.ListPlansAsync();

        var failure = result.Failures.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(1));
            Assert.That(failure.Error.Code, Is.EqualTo(GpuCloudErrorCode.Unknown));
            Assert.That(failure.Error.Message, Is.EqualTo("alpha: kaboom"));
            Assert.That(failure.Error.InnerException, Is.InstanceOf<InvalidOperationException>());
        }
    }

    [Test]
    public async Task Search_RegionFailuresOfAProvider_AreKept()
    {
        var alpha = new FakeProvider("alpha");
        alpha.Plans.Add(Build.Plan("alpha", "a1", 1m));
        alpha.PlanFailures.Add(new ProviderFailure("alpha", "eu-1", Build.Error(GpuCloudErrorCode.Timeout)));
        using var client = new GpuCloudClient([alpha]);

        var result = await client.ListPlansAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans, Has.Count.EqualTo(1));
            Assert.That(result.Failures.Single().Region, Is.EqualTo("eu-1"));
        }
    }

    [Test]
    public void Search_CallersCancellation_IsNotAFailure()
    {
        var alpha = new FakeProvider("alpha");
        using var client = new GpuCloudClient([alpha]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(async () => await client.ListPlansAsync(null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Search_OverHttp_FluenceDown_FluidstackUp()
    {
        using var fluenceHttp = new RecordingHttp();
        foreach (var url in new[] { FluenceJson.ContainerPlansUrl, FluenceJson.VmPlansUrl, FluenceJson.BareMetalPlansUrl })
            fluenceHttp.Raw(HttpMethod.Get, url, HttpStatusCode.ServiceUnavailable, "<html>maintenance</html>", "text/html");
        using var fluidstackHttp = new RecordingHttp();
        fluidstackHttp.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.SandboxOnly);
        fluidstackHttp.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/instance-types", FluidstackJson.InstanceTypes);
        fluidstackHttp.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/capacity", FluidstackJson.Capacity);
        using var fluence = Build.Fluence(fluenceHttp);
        using var fluidstack = Build.Fluidstack(fluidstackHttp);
        using var client = new GpuCloudClient([fluence, fluidstack]);

        var result = await client.ListPlansAsync(new PlanQuery { GpuModels = ["H100"] });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Plans.Select(p => p.Id), Is.EqualTo(new[] { "sandbox/h100-hgx-80gb.8x" }));
            Assert.That(result.Failures.Single().Provider, Is.EqualTo("fluence"));
            Assert.That(result.Failures.Single().Error.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(result.Failures.Single().Error.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
    }

    // ------------------------------------------------------------------------------------------- waiting

    [Test]
    public async Task Wait_ReportsEveryPoll_UntilRunningAndReachable()
    {
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, n) => n switch
            {
                1 => Build.Instance("alpha", id, InstanceState.Provisioning, providerState: "INITIALIZED"),
                2 => Build.Instance("alpha", id, InstanceState.Provisioning, providerState: "INITIALIZED"),
                3 => Build.Instance("alpha", id, InstanceState.Running, reachable: false, providerState: "ACTIVE"),
                _ => Build.Instance("alpha", id, InstanceState.Running, reachable: true, providerState: "ACTIVE"),
            },
        };
        using var client = new GpuCloudClient([alpha], Options(), time);
        var progress = new ProgressRecorder<GpuInstance>();

        var ready = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(10), progress));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.IsReady, Is.True);
            Assert.That(progress.Items.Select(i => i.ProviderState), Is.EqualTo(new[] { "INITIALIZED", "INITIALIZED", "ACTIVE", "ACTIVE" }));
            Assert.That(progress.Items.Select(i => i.IsReady), Is.EqualTo(new[] { false, false, false, true }));
            Assert.That(alpha.GetCalls, Is.EqualTo(4));
            // Issue 19: polls at 0, 2, 6 and 11 s (MinPollInterval 2 s, doubling toward PollInterval); a fixed 5 s interval took 15 s.
            Assert.That(time.GetUtcNow() - start, Is.EqualTo(TimeSpan.FromSeconds(11)), "the wait backs off from MinPollInterval");
        }
    }

    [Test]
    public async Task Wait_OverFluenceHttp_InitializedThenActive()
    {
        using var http = new RecordingHttp();
        var url = FluenceJson.ContainerInstancesUrl + FluenceJson.ActiveContainerId;
        http.Sequence(HttpMethod.Get, url,
            (HttpStatusCode.OK, FluenceJson.ContainerDetail("INITIALIZED")),
            (HttpStatusCode.OK, FluenceJson.ContainerDetail("INITIALIZED")),
            (HttpStatusCode.OK, FluenceJson.ContainerDetail("ACTIVE")));
        using var fluence = Build.Fluence(http);
        var time = new TrackedClock();
        // The documented example's host (provider.a100.pub) does not exist offline: this test is about the provider's
        // states, so the readiness probe is off (ReadinessProbeTests covers the probe against listeners it controls).
        var options = Options();
        options.ReadinessProbe = ReadinessProbe.None;
        using var client = new GpuCloudClient([fluence], options, time);
        var progress = new ProgressRecorder<GpuInstance>();

        var ready = await time.DriveAsync(client.WaitForStateAsync("fluence", "container:" + FluenceJson.ActiveContainerId, InstanceState.Running,
            TimeSpan.FromMinutes(5), progress));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.Ssh, Is.EqualTo(new SshEndpoint("provider.a100.pub", 32345, "root")));
            Assert.That(progress.Items.Select(i => i.State), Is.EqualTo(new[] { InstanceState.Provisioning, InstanceState.Provisioning, InstanceState.Running }));
            Assert.That(http.Sent(HttpMethod.Get, url), Has.Count.EqualTo(3));
        }
    }

    [Test]
    public async Task Wait_TimesOut_WithTheLastState()
    {
        var time = new TrackedClock();
        var start = time.GetUtcNow();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Provisioning, providerState: "creating") };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromSeconds(12))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Provider, Is.EqualTo("alpha"));
            Assert.That(ex.Message, Does.Contain("i-1").And.Contain("Provisioning (creating)").And.Contain("00:00:12"));
            Assert.That(alpha.GetCalls, Is.EqualTo(5), "polls at 0, 2, 6, 11 and 12 seconds (issue 19's back-off; fixed 5 s polling made 4)");
            Assert.That(time.GetUtcNow() - start, Is.EqualTo(TimeSpan.FromSeconds(12)), "the last wait is cut to the deadline");
            Assert.That(alpha.Deleted, Is.Empty, "waiting alone never deletes");
        }
    }

    [Test]
    public async Task Wait_RunningButNeverReachable_SaysSo()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Running, reachable: false) };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromSeconds(10))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("running but not reachable yet"));
        }
    }

    [Test]
    public async Task Wait_UnknownState_KeepsPolling()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, n) => n < 3
                ? Build.Instance("alpha", id, InstanceState.Unknown, providerState: "HIBERNATING")
                : Build.Instance("alpha", id, InstanceState.Running, reachable: true),
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ready = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1)));

        Assert.That(ready.IsReady, Is.True);
    }

    [Test]
    public async Task Wait_OutOfStock_DeletesTheInstance_ThenReportsCapacity()
    {
        using var http = new RecordingHttp();
        var url = FluidstackJson.Sandbox + "/instances/" + FluidstackJson.InstanceGuid;
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.Regions);
        http.Sequence(HttpMethod.Get, url,
            (HttpStatusCode.OK, FluidstackJson.Instance("creating", ip: null)),
            (HttpStatusCode.OK, FluidstackJson.Instance("out-of-stock", ip: null)));
        http.Status(HttpMethod.Delete, url, HttpStatusCode.NoContent);
        var time = new TrackedClock();
        using var fluidstack = Build.Fluidstack(http, time);
        using var client = new GpuCloudClient([fluidstack], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(
            client.WaitForStateAsync("fluidstack", "sandbox/" + FluidstackJson.InstanceGuid, InstanceState.Running, TimeSpan.FromMinutes(5))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.CapacityUnavailable));
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(ex.Message, Does.Contain("out-of-stock").And.Contain("was deleted"));
            Assert.That(http.Sent(HttpMethod.Delete, url), Has.Count.EqualTo(1));
            Assert.That(http.Requests.Last().Method, Is.EqualTo(HttpMethod.Delete), "deleted before reporting");
        }
    }

    [Test]
    public async Task Wait_OutOfStock_WhenTheDeleteFails_SaysSo()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable, providerState: "out-of-stock"),
            OnDelete = (_, _) => throw Build.Error(GpuCloudErrorCode.ProviderUnavailable),
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.CapacityUnavailable));
            Assert.That(ex.Message, Does.Contain("could NOT be deleted").And.Contain("delete it yourself"));
        }
    }

    [Test]
    public async Task Wait_ForTerminated_IsReachedWhenTheInstanceIsGone()
    {
        using var http = new RecordingHttp();
        var url = FluidstackJson.Sandbox + "/instances/" + FluidstackJson.InstanceGuid;
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.Regions);
        http.Sequence(HttpMethod.Get, url,
            (HttpStatusCode.OK, FluidstackJson.Instance("deleting")),
            (HttpStatusCode.NotFound, FluidstackJson.Error("instance not found")));
        var time = new TrackedClock();
        using var fluidstack = Build.Fluidstack(http, time);
        using var client = new GpuCloudClient([fluidstack], Options(), time);
        var progress = new ProgressRecorder<GpuInstance>();

        var gone = await time.DriveAsync(client.WaitForStateAsync("fluidstack", "sandbox/" + FluidstackJson.InstanceGuid, InstanceState.Terminated,
            TimeSpan.FromMinutes(5), progress));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(gone.ProviderState, Is.EqualTo("not-found"));
            Assert.That(gone.Id, Is.EqualTo("sandbox/" + FluidstackJson.InstanceGuid));
            Assert.That(gone.Name, Is.EqualTo("instance-1"), "what was last seen is kept");
            Assert.That(progress.Items.Select(i => i.State), Is.EqualTo(new[] { InstanceState.Terminating, InstanceState.Terminated }));
        }
    }

    [Test]
    public async Task Wait_ForTerminated_GoneOnTheFirstPoll()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha"); // every Get is NotFound
        using var client = new GpuCloudClient([alpha], Options(), time);

        var gone = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-9", InstanceState.Terminated, TimeSpan.FromMinutes(1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gone.State, Is.EqualTo(InstanceState.Terminated));
            Assert.That(gone.Id, Is.EqualTo("i-9"));
            Assert.That(alpha.GetCalls, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Wait_ForRunning_WhenNotFound_IsNotFound()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha");
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-9", InstanceState.Running, TimeSpan.FromMinutes(1))));

        Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.NotFound));
    }

    [Test]
    public async Task Wait_FailedInstance_EndsTheWait_WithoutDeleting()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, providerState: "FAILED") };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.Message, Does.Contain("FAILED"));
            Assert.That(alpha.Deleted, Is.Empty);
            Assert.That(alpha.GetCalls, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Wait_FailedInstance_IsReachedWhenWaitingForFailed()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Failed, failure: GpuCloudErrorCode.CapacityUnavailable),
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var failed = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Failed, TimeSpan.FromMinutes(1)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.State, Is.EqualTo(InstanceState.Failed));
            Assert.That(alpha.Deleted, Is.Empty);
        }
    }

    [Test]
    public async Task Wait_TerminatedWhileWaitingForRunning_IsAConflict()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Terminated, providerState: "ENDED") };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var ex = await ExpectAsync<GpuCloudException>(time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1))));

        Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
    }

    [Test]
    public async Task Wait_ForStopped()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha")
        {
            OnGet = (id, n) => Build.Instance("alpha", id, n < 2 ? InstanceState.Stopping : InstanceState.Stopped),
        };
        using var client = new GpuCloudClient([alpha], Options(), time);

        var stopped = await time.DriveAsync(client.WaitForStateAsync("alpha", "i-1", InstanceState.Stopped, TimeSpan.FromMinutes(1)));

        Assert.That(stopped.State, Is.EqualTo(InstanceState.Stopped));
    }

    [Test]
    public async Task Wait_CallersCancellation_IsRethrown()
    {
        var time = new TrackedClock();
        var alpha = new FakeProvider("alpha") { OnGet = (id, _) => Build.Instance("alpha", id, InstanceState.Provisioning) };
        using var client = new GpuCloudClient([alpha], Options(), time);
        using var cts = new CancellationTokenSource();

        var timer = time.NextTimerCreatedAsync();
        var wait = client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1), null, cts.Token);
        await HangGuard.WhenAnyAsync(timer, wait);
        await cts.CancelAsync();

        Assert.That(async () => await wait, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(alpha.Deleted, Is.Empty);
    }

    [Test]
    public void Wait_BadArguments_AskNothing()
    {
        var alpha = new FakeProvider("alpha");
        using var client = new GpuCloudClient([alpha], Options(), new TrackedClock());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => client.WaitForStateAsync("alpha", "i-1", InstanceState.Running, TimeSpan.Zero), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => client.WaitForStateAsync("alpha", "i-1", InstanceState.Unknown, TimeSpan.FromMinutes(1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => client.WaitForStateAsync("alpha", " ", InstanceState.Running, TimeSpan.FromMinutes(1)), Throws.InstanceOf<GpuCloudException>());
            Assert.That(() => client.WaitForStateAsync("omega", "i-1", InstanceState.Running, TimeSpan.FromMinutes(1)), Throws.InstanceOf<GpuCloudException>());
            Assert.That(alpha.GetCalls, Is.Zero);
        }
    }

    // ------------------------------------------------------------------------------------------- cheapest with failover

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

    // ------------------------------------------------------------------------------------------- one template, every workload

    private static CreateInstanceRequest MixedTemplate() => Template() with
    {
        OsImage = "Ubuntu Server 22.04",
        Location = "US",
        Container = new ContainerSettings { Image = "docker.io/fluencelabs/debian-ssh-root:11" },
    };

    [Test]
    public void ForPlan_ContainerPlan_KeepsContainerAndCountry_DropsTheOsImage()
    {
        var plan = Build.Plan("fluence", "container:1", 1m, workload: WorkloadType.Container, locations: ["US"]);

        var request = CheapestCreate.ForPlan(MixedTemplate(), plan);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Plan, Is.SameAs(plan));
            Assert.That(request.Provider, Is.Null);
            Assert.That(request.PlanId, Is.Null);
            Assert.That(request.Container, Is.Not.Null);
            Assert.That(request.OsImage, Is.Null);
            Assert.That(request.Location, Is.EqualTo("US"));
        }
    }

    [Test]
    public void ForPlan_VmPlan_DropsContainer_PicksAnOfferedImage_AndThePlansDataCenter()
    {
        var plan = Build.Plan("fluence", "vm:1", 1m, locations: ["dulles-usa-1"]) with { OsImages = ["ubuntu22.04_cuda12.4_shade_os", "Ubuntu Server 22.04"] };
        var notOffered = Build.Plan("fluence", "vm:2", 1m, locations: ["sanjose-usa-2"]) with { OsImages = ["ubuntu22.04_cuda12.4_shade_os"] };

        var request = CheapestCreate.ForPlan(MixedTemplate(), plan);
        var fallback = CheapestCreate.ForPlan(MixedTemplate(), notOffered);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Container, Is.Null);
            Assert.That(request.OsImage, Is.EqualTo("Ubuntu Server 22.04"), "the template's image, as the plan offers it");
            Assert.That(request.Location, Is.EqualTo("dulles-usa-1"), "'US' matches the plan's data center, which is what Fluence checks");
            Assert.That(fallback.OsImage, Is.EqualTo("ubuntu22.04_cuda12.4_shade_os"), "the plan's first image when the template's is not offered");
        }
    }

    [Test]
    public void ForPlan_LocationThePlanDoesNotRunIn_IsDropped()
    {
        var plan = Build.Plan("fluence", "vm:1", 1m, locations: ["kristiansand-norway-2"]) with { OsImages = ["Ubuntu Server 22.04"] };

        Assert.That(CheapestCreate.ForPlan(MixedTemplate(), plan).Location, Is.Null);
    }

    [Test]
    public void ForPlan_RegionalPlan_GetsItsRegion()
    {
        var plan = Build.Plan("fluidstack", "sandbox/h100", 1m) with { Region = "sandbox", Locations = ["sandbox"] };

        var request = CheapestCreate.ForPlan(MixedTemplate() with { Location = "SANDBOX", OsImage = "image://ubuntu22.04" }, plan);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Location, Is.EqualTo("sandbox"));
            Assert.That(request.OsImage, Is.EqualTo("image://ubuntu22.04"), "a plan that lists no images takes the template's");
            Assert.That(request.Container, Is.Null);
        }
    }

    [Test]
    public async Task ForPlan_FluidstackPlan_ReplacesAnotherProvidersImageWithTheDefault()
    {
        using var http = new RecordingHttp();
        http.Json(HttpMethod.Get, FluidstackJson.RegionsUrl, FluidstackJson.SandboxOnly);
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/instance-types", FluidstackJson.InstanceTypes);
        http.Json(HttpMethod.Get, FluidstackJson.Sandbox + "/capacity", FluidstackJson.Capacity);
        using var fluidstack = Build.Fluidstack(http);
        var plan = (await fluidstack.ListPlansAsync(new PlanQuery())).Plans.First(p => p.Gpu.Count > 0);

        var request = CheapestCreate.ForPlan(MixedTemplate() with { OsImage = "Ubuntu Server 22.04" }, plan);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.OsImages, Is.EqualTo(new[] { "image://ubuntu22.04" }));
            Assert.That(request.OsImage, Is.EqualTo("image://ubuntu22.04"), "a Fluence image name must not reach Atlas");
            Assert.That(request.Container, Is.Null);
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static async Task<T> ExpectAsync<T>(Task task) where T : Exception
    {
        try
        {
            await task;
        }
        catch (T ex)
        {
            return ex;
        }
        catch (Exception other)
        {
            Assert.Fail($"Expected {typeof(T).Name}, got {other.GetType().Name}: {other.Message}");
        }
        Assert.Fail($"Expected {typeof(T).Name}, but the call succeeded.");
        return null!;
    }

    /// <summary>A provider whose delete waits until its token is cancelled (to exercise CleanupTimeout).</summary>
    private sealed class HangingDeleteProvider(string name, TaskCompletionSource deleteStarted) : IGpuCloudProvider
    {
        private readonly FakeProvider _inner = new(name) { OnGet = (id, _) => Build.Instance(name, id, InstanceState.Provisioning) };

        public List<GpuPlan> Plans => _inner.Plans;

        public bool DeleteCancelledByCleanupTimeout { get; private set; }

        public string Name => name;

        public Task<PlanSearchResult> ListPlansAsync(PlanQuery query, CancellationToken cancellationToken = default) => _inner.ListPlansAsync(query, cancellationToken);

        public Task<IReadOnlyList<GpuInstance>> ListInstancesAsync(CancellationToken cancellationToken = default) => _inner.ListInstancesAsync(cancellationToken);

        public Task<GpuInstance> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => _inner.GetInstanceAsync(instanceId, cancellationToken);

        public Task<GpuInstance> CreateInstanceAsync(CreateInstanceRequest request, CancellationToken cancellationToken = default) => _inner.CreateInstanceAsync(request, cancellationToken);

        public async Task DeleteInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
        {
            deleteStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                DeleteCancelledByCleanupTimeout = true;
                throw;
            }
        }

        public Task StartInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task StopInstanceAsync(string instanceId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<IReadOnlyList<SshKey>> ListSshKeysAsync(CancellationToken cancellationToken = default) => _inner.ListSshKeysAsync(cancellationToken);

        public Task<SshKey> AddSshKeyAsync(string name, SshPublicKey publicKey, CancellationToken cancellationToken = default) =>
            _inner.AddSshKeyAsync(name, publicKey, cancellationToken);

        public Task RemoveSshKeyAsync(string keyId, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
