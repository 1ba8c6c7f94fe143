using System.Diagnostics;
using GpuCloud;
using GpuCloud.Reliability.Tests.Support;
using GpuCloud.Sandbox;

namespace GpuCloud.Reliability.Tests;

/// <summary>
/// The caller's token cancels at every stage: waiting out a retry delay, a token refresh, a body read, a state poll, a
/// create whose answer is on its way. Each operation would otherwise run for many seconds; the cancellation must arrive
/// as an <see cref="OperationCanceledException"/> (never wrapped) within <see cref="Bound"/> of the cancel, and nothing
/// created may be left behind. The moment to cancel comes from a signal (a log line, a progress report, the sandbox's
/// fault counter), never from a sleep.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CancellationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan SignalLimit = TimeSpan.FromSeconds(10);

    private SandboxServer _sandbox = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        // Instances stay provisioning: a wait for Running never ends by itself.
        _sandbox = await Sandboxes.StartAsync(o => o.ProvisioningDelay = TimeSpan.FromHours(1));

    [OneTimeTearDown]
    public async Task StopAsync() => await _sandbox.DisposeAsync();

    [SetUp]
    public void ResetSandbox() => _sandbox.Reset();

    /// <summary>Slow settings: without cancellation every stage below would take far longer than <see cref="Bound"/>.</summary>
    private static void Patient(GpuCloudOptions o)
    {
        o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(60);
        o.Resilience.TotalTimeout = TimeSpan.FromSeconds(120);
        o.Resilience.MaxRetryAfter = TimeSpan.FromSeconds(10);
        o.CleanupTimeout = TimeSpan.FromSeconds(10);
    }

    /// <summary>Starts <paramref name="operation"/>, cancels when <paramref name="signal"/> completes, and returns how long the cancellation took to arrive.</summary>
    private static async Task<(Exception? Error, TimeSpan AfterCancel, TimeSpan Total)> CancelAtAsync(Func<CancellationToken, Task> operation, Task signal)
    {
        using var cts = new CancellationTokenSource();
        var total = Stopwatch.StartNew();
        var running = operation(cts.Token);
        var first = await Task.WhenAny(signal, running, Task.Delay(SignalLimit));
        Assert.That(first, Is.SameAs(signal), "the stage to cancel in was reached (the operation " + (running.IsCompleted ? $"ended first: {running.Exception?.InnerException?.Message ?? "ok"})" : "is still running)"));
        var afterCancel = Stopwatch.StartNew();
        await cts.CancelAsync();
        Exception? error = null;
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex)
        {
            error = ex;
        }
        return (error, afterCancel.Elapsed, total.Elapsed);
    }

    private static void AssertCancelled((Exception? Error, TimeSpan AfterCancel, TimeSpan Total) outcome, TimeSpan wouldTake)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Error, Is.InstanceOf<OperationCanceledException>(), "the caller's cancellation, unwrapped: " + outcome.Error);
            Assert.That(outcome.Error, Is.Not.InstanceOf<TimeoutException>(), "the operation ended within 30 s of the cancel");
            Assert.That(outcome.AfterCancel, Is.LessThan(Bound), "time from cancel to OperationCanceledException");
            Assert.That(outcome.Total, Is.LessThan(wouldTake), "ended well before the operation would have");
        }
    }

    private async Task AssertNothingLeftAsync() =>
        Assert.That(await Sandboxes.EventuallyAsync(() => _sandbox.Inventory.LiveInstances().Count == 0, TimeSpan.FromSeconds(12)),
            "nothing left behind: " + string.Join(", ", _sandbox.Inventory.LiveInstances().Select(i => $"{i.Provider} {i.Name} {i.State}")));

    [Test]
    public async Task CancelWhileWaitingOutARetryAfter()
    {
        using var logs = new TestLogs();
        var answered429 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        logs.OnMessage = m => { if (m.Contains("answered 429", StringComparison.Ordinal)) answered429.TrySetResult(); };
        using var client = Clients.Facade(_sandbox, Patient, logs.Factory);
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Status, StatusCode = 429, RetryAfter = TimeSpan.FromSeconds(3), PathPrefix = "/v1/ssh_keys" });

        // Four attempts, three waits of 3 s: about 9 s without cancellation.
        var outcome = await CancelAtAsync(ct => client.ListSshKeysAsync("fluence", ct), answered429.Task);

        AssertCancelled(outcome, TimeSpan.FromSeconds(3));
        await AssertNothingLeftAsync();
    }

    /// <summary>Completes when <paramref name="condition"/> holds (polling sandbox state with a bounded loop); never completes otherwise.</summary>
    private static async Task When(Func<bool> condition)
    {
        if (!await Sandboxes.EventuallyAsync(condition, SignalLimit)) await Task.Delay(SignalLimit * 2);
    }

    [Test]
    public async Task CancelWhileATokenRefreshIsSlow()
    {
        using var client = Clients.Facade(_sandbox, Patient);
        var slowToken = _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = TimeSpan.FromSeconds(30), PathPrefix = "/oauth/token" });

        // The first caller fetches the token; a second one waits for that fetch. Cancel the waiter, then the fetcher.
        using var waiterCts = new CancellationTokenSource();
        var cancelFetcher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetcher = CancelAtAsync(ct => client.ListInstancesAsync("fluidstack", ct), cancelFetcher.Task);
        await When(() => slowToken.Fired > 0);
        var waiter = client.ListSshKeysAsync("fluidstack", waiterCts.Token);
        var waiterClock = Stopwatch.StartNew();
        await waiterCts.CancelAsync();
        Exception? waiterError = null;
        try { await waiter.WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (Exception ex) { waiterError = ex; }
        waiterClock.Stop();
        cancelFetcher.SetResult();

        AssertCancelled(await fetcher, TimeSpan.FromSeconds(30));
        Assert.That(slowToken.Fired, Is.EqualTo(1), "one token request was in flight");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(waiterError, Is.InstanceOf<OperationCanceledException>(), "a caller waiting for the refresh: " + waiterError);
            Assert.That(waiterClock.Elapsed, Is.LessThan(Bound), "the waiting caller's cancellation");
        }
        await AssertNothingLeftAsync();
    }

    [Test]
    public async Task CancelWhileABodyTricklesIn()
    {
        using var logs = new TestLogs();
        var headers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = Clients.Facade(_sandbox, Patient, logs.Factory);
        await client.AddSshKeyAsync("body", Keys.Rsa2048, "fluence");
        logs.OnMessage = m => { if (m.Contains("/v1/ssh_keys answered 200", StringComparison.Ordinal)) headers.TrySetResult(); };
        // About 700 bytes, 16 every 500 ms: some 20 s of body.
        _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.SlowBody, Delay = TimeSpan.FromMilliseconds(500), ChunkSize = 16, PathPrefix = "/v1/ssh_keys", Method = "GET" });

        var outcome = await CancelAtAsync(ct => client.ListSshKeysAsync("fluence", ct), headers.Task);

        AssertCancelled(outcome, TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task CancelWhilePollingForAState()
    {
        using var client = Clients.Facade(_sandbox, Patient);
        var instance = await client.CreateInstanceAsync(Clients.FluidstackRequest("poll-cancel"));
        var polls = 0;
        var polled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new Inline<GpuInstance>(_ => { if (Interlocked.Increment(ref polls) == 3) polled.TrySetResult(); });

        var outcome = await CancelAtAsync(ct => client.WaitForStateAsync(instance.Provider, instance.Id, InstanceState.Running, TimeSpan.FromMinutes(5), progress, ct), polled.Task);

        AssertCancelled(outcome, TimeSpan.FromSeconds(30));
        Assert.That(_sandbox.IsLive(instance.Provider, instance.Id), "waiting does not touch the instance");
        await client.DeleteInstanceAsync(instance.Provider, instance.Id);
        await AssertNothingLeftAsync();
    }

    [Test]
    public async Task CancelCreateCheapestWhileItWaitsForReadyDeletesWhatItCreated()
    {
        using var client = Clients.Facade(_sandbox, Patient);
        var polled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new Inline<GpuInstance>(_ => polled.TrySetResult());

        var outcome = await CancelAtAsync(ct => client.CreateCheapestAsync(new PlanQuery { Providers = ["fluidstack"], Location = Sandboxes.Region },
            new CreateInstanceRequest { Name = "cheap-cancel", SshPublicKeys = [Keys.Ed25519] }, progress: progress, cancellationToken: ct), polled.Task);

        AssertCancelled(outcome, TimeSpan.FromSeconds(30));
        Assert.That(_sandbox.Inventory.CreateRequests(SandboxProvider.Fluidstack, "cheap-cancel"), Is.EqualTo(1), "it had created one");
        await AssertNothingLeftAsync();
    }

    [Test]
    public async Task CancelCreateCheapestWhileTheCreateAnswerIsOnItsWayDeletesWhatWasCreated()
    {
        using var transport = new Transport();
        using var composed = Clients.Compose(_sandbox, transport, Patient);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        // The provider created the instance; its answer is still on the way when the caller cancels.
        transport.Add(Transforms.HoldResponse("/fluidstack/regions/", "POST", never.Task, held));

        var outcome = await CancelAtAsync(ct => composed.Client.CreateCheapestAsync(new PlanQuery { Providers = ["fluidstack"], Location = Sandboxes.Region },
            new CreateInstanceRequest { Name = "answer-cancel", SshPublicKeys = [Keys.Ed25519] }, cancellationToken: ct), held.Task);

        AssertCancelled(outcome, TimeSpan.FromSeconds(30));
        Assert.That(_sandbox.Inventory.CreateRequests(SandboxProvider.Fluidstack, "answer-cancel"), Is.EqualTo(1), "the create reached the provider");
        await AssertNothingLeftAsync();
    }

    [Test]
    public async Task CancelCreateInstanceWhileTheCreateAnswerIsOnItsWayLeavesNothingBehind()
    {
        using var transport = new Transport();
        using var composed = Clients.Compose(_sandbox, transport, Patient);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource();
        transport.Add(Transforms.HoldResponse("/fluidstack/regions/", "POST", never.Task, held));

        var outcome = await CancelAtAsync(ct => composed.Client.CreateInstanceAsync(Clients.FluidstackRequest("answer-cancel-2"), ct), held.Task);

        AssertCancelled(outcome, TimeSpan.FromSeconds(30));
        Assert.That(_sandbox.Inventory.CreateRequests(SandboxProvider.Fluidstack, "answer-cancel-2"), Is.EqualTo(1), "the create reached the provider");
        await AssertNothingLeftAsync();
    }

    [Test]
    public async Task CancelACreateHeldBeforeItIsSentCreatesNothing()
    {
        // The counterpart that works: slow headers before the provider handled the create (sandbox latency) are aborted.
        using var client = Clients.Facade(_sandbox, Patient);
        var slow = _sandbox.Faults.Add(new FaultRule { Kind = FaultKind.Latency, Delay = TimeSpan.FromSeconds(30), PathPrefix = "/fluidstack/regions/", Method = "POST" });
        await client.ListInstancesAsync(); // token first

        var outcome = await CancelAtAsync(ct => client.CreateInstanceAsync(Clients.FluidstackRequest("early-cancel"), ct), When(() => slow.Fired > 0));

        AssertCancelled(outcome, TimeSpan.FromSeconds(30));
        Assert.That(_sandbox.Inventory.CreateRequests(SandboxProvider.Fluidstack, "early-cancel"), Is.Zero, "the provider never handled the create");
        await AssertNothingLeftAsync();
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (no synchronization context hop).</summary>
    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
