using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// Attempt and total timeouts on the fake clock: the inner handler never answers until its token is cancelled,
/// so only the clock (or the caller) can end a call.
/// </summary>
public class TimeoutTests : PlumbingTest
{
    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(10);

    private static GpuCloudResilienceOptions Options(TimeSpan total, int maxRetries = 3)
    {
        var options = ResilienceRig.Options(maxRetries);
        options.AttemptTimeout = Attempt;
        options.TotalTimeout = total;
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(100); // back-off below 0.2 s
        return options;
    }

    private static readonly TimeSpan ShortHorizon = TimeSpan.FromSeconds(1);

    [Test]
    public async Task Get_AttemptTimeout_IsRetried_AndTheRetryCanSucceed()
    {
        using var rig = new ResilienceRig(Options(TimeSpan.FromMinutes(5)));
        rig.Inner.OnAny((request, call, ct) => call == 1 ? Hang(request, call, ct) : Task.FromResult(Response(HttpStatusCode.OK)));

        var sending = rig.Send(HttpMethod.Get);
        await rig.Inner.WaitForCountAsync(1);
        rig.Clock.Advance(Attempt - TimeSpan.FromMilliseconds(1));
        Assert.That(sending.IsCompleted, Is.False, "the attempt is still within its time");

        rig.Clock.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await rig.Clock.RunAsync(sending, ShortHorizon);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Attempts, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Get_EveryAttemptTimingOut_EndsWithTimeout_AfterAllRetries()
    {
        using var rig = new ResilienceRig(Options(TimeSpan.FromMinutes(5), maxRetries: 2), provider: "fluence");
        rig.Inner.OnAny(Hang);

        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Send(HttpMethod.Get), TimeSpan.FromSeconds(30)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Provider, Is.EqualTo("fluence"));
            Assert.That(ex.Message, Does.Contain("GET /v1/things").And.Contain("10 s"));
            Assert.That(rig.Attempts, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Post_AttemptTimeout_IsNotRetried_AndIsATimeout()
    {
        using var rig = new ResilienceRig(Options(TimeSpan.FromMinutes(5)));
        rig.Inner.OnAny(Hang);

        var sending = rig.Send(HttpMethod.Post);
        await rig.Inner.WaitForCountAsync(1);
        rig.Clock.Advance(Attempt);
        var ex = await FailsWith<GpuCloudException>(rig.Clock.RunAsync(sending, ShortHorizon));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("POST"));
            Assert.That(rig.Attempts, Is.EqualTo(1), "a create that timed out may have been received: never resent");
        }
    }

    [Test]
    public async Task TotalTimeout_EndsTheRetries_WithTimeout()
    {
        // Attempts of 10 s, but only 15 s in all: the first attempt times out, the second is cut by the total.
        using var rig = new ResilienceRig(Options(TimeSpan.FromSeconds(15)));
        rig.Inner.OnAny(Hang);

        var sending = rig.Send(HttpMethod.Get);
        await rig.Inner.WaitForCountAsync(1);
        rig.Clock.Advance(Attempt);
        await rig.Clock.RunAsync(rig.Inner.WaitForCountAsync(2), ShortHorizon);
        Assert.That(sending.IsCompleted, Is.False);

        rig.Clock.Advance(TimeSpan.FromSeconds(5));
        var ex = await FailsWith<GpuCloudException>(sending);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Message, Does.Contain("15 s"), "the total limit is the one reported");
            Assert.That(rig.Attempts, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task TotalTimeout_AlsoCutsABackOffWait()
    {
        var options = Options(TimeSpan.FromSeconds(20));
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable, null,
            h => h.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(25))));

        var sending = rig.Send(HttpMethod.Get);
        rig.Clock.Advance(TimeSpan.FromSeconds(20));
        var ex = await FailsWith<GpuCloudException>(sending);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(rig.Attempts, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task CallerCancellation_DuringAnAttempt_IsAnOperationCanceledException_NotWrapped()
    {
        using var rig = new ResilienceRig(Options(TimeSpan.FromMinutes(5)));
        rig.Inner.OnAny(Hang);
        using var cts = new CancellationTokenSource();

        var sending = rig.Send(HttpMethod.Get, cancellationToken: cts.Token);
        await rig.Inner.WaitForCountAsync(1);
        await cts.CancelAsync();
        var ex = await FailsWith<OperationCanceledException>(sending);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex, Is.Not.InstanceOf<GpuCloudException>());
            Assert.That(rig.Attempts, Is.EqualTo(1), "a cancelled call is not retried");
        }
    }

    [Test]
    public async Task CallerCancellation_DuringTheBackOff_IsAnOperationCanceledException()
    {
        using var rig = new ResilienceRig(Options(TimeSpan.FromMinutes(5)));
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable));
        using var cts = new CancellationTokenSource();

        var sending = rig.Send(HttpMethod.Get, cancellationToken: cts.Token);
        await rig.Clock.WaitForTimerWithinAsync(ShortHorizon);
        await cts.CancelAsync();
        await FailsWith<OperationCanceledException>(sending);

        Assert.That(rig.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task CallerCancellation_OfAPost_IsAnOperationCanceledException()
    {
        using var rig = new ResilienceRig(Options(TimeSpan.FromMinutes(5)));
        rig.Inner.OnAny(Hang);
        using var cts = new CancellationTokenSource();

        var sending = rig.Send(HttpMethod.Post, cancellationToken: cts.Token);
        await rig.Inner.WaitForCountAsync(1);
        await cts.CancelAsync();
        var ex = await FailsWith<OperationCanceledException>(sending);

        Assert.That(ex, Is.Not.InstanceOf<GpuCloudException>());
    }

    [Test]
    public async Task ThroughFluence_AttemptTimeout_IsTimeout_AndCancellationStaysCancellation()
    {
        var clock = new TrackedClock();
        var inner = new ScriptedHandler().OnAny(Hang);
        using var resilience = new GpuCloudResilienceHandler("fluence", Options(TimeSpan.FromMinutes(5), maxRetries: 0), clock) { InnerHandler = inner };
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = PlumbingSecrets.FluenceKey, BaseUrl = new Uri(FluenceJson.Base) }, resilience);

        var timedOut = fluence.ListSshKeysAsync();
        await inner.WaitForCountAsync(1);
        clock.Advance(Attempt);
        var ex = await FailsWith<GpuCloudException>(timedOut);

        using var cts = new CancellationTokenSource();
        var cancelled = fluence.ListSshKeysAsync(cts.Token);
        await inner.WaitForCountAsync(2);
        await cts.CancelAsync();
        var cancel = await FailsWith<OperationCanceledException>(cancelled);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.Timeout));
            Assert.That(ex.Provider, Is.EqualTo("fluence"));
            Assert.That(cancel, Is.Not.Null);
        }
    }

    [Test]
    public async Task TimedOutAttempt_IsLogged_LikeEveryOtherAttempt()
    {
        using var rig = new ResilienceRig(Options(TimeSpan.FromMinutes(5)), Watch.Logs.Factory);
        rig.Inner.OnAny((request, call, ct) => call == 1 ? Hang(request, call, ct) : Task.FromResult(Response(HttpStatusCode.OK)));

        var sending = rig.Send(HttpMethod.Get);
        await rig.Inner.WaitForCountAsync(1);
        rig.Clock.Advance(Attempt);
        using var response = await rig.Clock.RunAsync(sending, ShortHorizon);

        var attempts = Watch.Logs.Records.Where(e => e.Id.Id is 1001 or 1002).OrderBy(e => int.Parse(e.Value("Attempt")!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(attempts.Select(e => e.Value("Attempt")), Is.EqualTo(new[] { "1", "2" }), "both attempts are logged");
            Assert.That(attempts[0].Id.Id, Is.EqualTo(1002));
            Assert.That(attempts[0].Value("DurationMs"), Is.EqualTo("10000"));
        }
    }
}
