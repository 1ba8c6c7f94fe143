namespace GpuCloud.Tests;

public partial class GpuCloudClientTests
{
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
}
