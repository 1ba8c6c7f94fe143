using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>The per-host circuit breaker: opening on failures, failing fast, probing after the break, closing on success.</summary>
public class CircuitBreakerTests : PlumbingTest
{
    private const string HostA = "https://a.example.test/v1/things";
    private const string HostB = "https://b.example.test/v1/things";

    /// <summary>No retries (each call is one attempt), and a circuit that opens after two failures out of two.</summary>
    private static GpuCloudResilienceOptions Options()
    {
        var options = ResilienceRig.Options(maxRetries: 0);
        options.CircuitBreakerMinimumThroughput = 2;
        options.CircuitBreakerFailureRatio = 0.5;
        options.CircuitBreakerSamplingDuration = TimeSpan.FromSeconds(30);
        options.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(15);
        return options;
    }

    private static async Task Fail(ResilienceRig rig, string url, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await rig.Run(rig.Send(HttpMethod.Get, url));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
    }

    [Test]
    public async Task Failures_OpenTheCircuit_ThenCallsFailFast_WithoutReachingTheProvider()
    {
        using var rig = new ResilienceRig(Options(), provider: "fluence");
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable));
        await Fail(rig, HostA, 2);

        var ex = await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Get, HostA)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.Provider, Is.EqualTo("fluence"));
            Assert.That(ex.Message, Does.Contain("a.example.test").And.Contain("circuit open"));
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(15)), "how long the circuit stays open");
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(rig.Attempts, Is.EqualTo(2), "the rejected call never reached the provider");
        }
    }

    [Test]
    public async Task AttemptTimeouts_OpenTheCircuit_AndTheRejectionSaysTheyTimedOut()
    {
        var options = Options();
        options.AttemptTimeout = TimeSpan.FromSeconds(10);
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(Hang);
        for (var i = 1; i <= 2; i++)
        {
            var sending = rig.Send(HttpMethod.Get, HostA);
            await rig.Inner.WaitForCountAsync(i);
            rig.Clock.Advance(options.AttemptTimeout);
            await FailsWith<GpuCloudException>(sending);
        }

        var ex = await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Get, HostA)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(ex.Message, Does.Contain("requests timed out after 10 s; further requests to a.example.test are paused").And.Contain("circuit open"));
            Assert.That(rig.Attempts, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task OpenCircuit_FailsFastForPostsToo()
    {
        using var rig = new ResilienceRig(Options());
        rig.Inner.OnAny(Always(HttpStatusCode.BadGateway));
        for (var i = 0; i < 2; i++)
        {
            using var failed = await rig.Run(rig.Send(HttpMethod.Get, HostA));
            Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        }

        var ex = await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Post, HostA)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(rig.Attempts, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task AfterTheBreak_OneProbeGoesThrough_AndItsSuccessClosesTheCircuit()
    {
        using var rig = new ResilienceRig(Options());
        var healthy = false;
        rig.Inner.OnAny((_, _, _) => Task.FromResult(Response(healthy ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable)));
        await Fail(rig, HostA, 2);

        rig.Clock.Advance(TimeSpan.FromSeconds(14.9));
        await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Get, HostA)));
        Assert.That(rig.Attempts, Is.EqualTo(2), "still open just before the break ends");

        rig.Clock.Advance(TimeSpan.FromSeconds(0.2));
        healthy = true;
        using (var probe = await rig.Run(rig.Send(HttpMethod.Get, HostA)))
            Assert.That(probe.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        for (var i = 0; i < 5; i++)
        {
            using var after = await rig.Run(rig.Send(HttpMethod.Get, HostA));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        Assert.That(rig.Attempts, Is.EqualTo(2 + 1 + 5), "closed again: every call reaches the provider");
    }

    [Test]
    public async Task AFailedProbe_OpensTheCircuitAgain()
    {
        using var rig = new ResilienceRig(Options());
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable));
        await Fail(rig, HostA, 2);

        rig.Clock.Advance(TimeSpan.FromSeconds(15));
        await Fail(rig, HostA, 1); // the probe reaches the provider and fails
        var ex = await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Get, HostA)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(rig.Attempts, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task TheCircuitIsPerHost_FailuresOnAHostDoNotOpenAnother()
    {
        using var rig = new ResilienceRig(Options());
        rig.Inner.OnAny((request, _, _) => Task.FromResult(Response(request.RequestUri!.Host == "a.example.test"
            ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK)));
        await Fail(rig, HostA, 2);

        await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Get, HostA)));
        using var other = await rig.Run(rig.Send(HttpMethod.Get, HostB));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Inner.Requests.Count(r => r.Uri.Host == "b.example.test"), Is.EqualTo(1));
            Assert.That(rig.Inner.Requests.Count(r => r.Uri.Host == "a.example.test"), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task ClientErrors_DoNotCountAsFailures()
    {
        using var rig = new ResilienceRig(Options());
        rig.Inner.OnAny(Always(HttpStatusCode.NotFound));

        for (var i = 0; i < 10; i++)
        {
            using var response = await rig.Run(rig.Send(HttpMethod.Get, HostA));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }

        Assert.That(rig.Attempts, Is.EqualTo(10), "a 404 is an answer, not an outage: the circuit stays closed");
    }

    [Test]
    public async Task BelowMinimumThroughput_TheCircuitStaysClosed()
    {
        var options = Options();
        options.CircuitBreakerMinimumThroughput = 4;
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable));

        await Fail(rig, HostA, 3);
        using (var fourth = await rig.Run(rig.Send(HttpMethod.Get, HostA)))
            Assert.That(fourth.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "the fourth call still reaches the provider (and opens the circuit)");
        await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Get, HostA)));

        Assert.That(rig.Attempts, Is.EqualTo(4));
    }

    [Test]
    public async Task FailuresOutsideTheSamplingWindow_AreForgotten()
    {
        using var rig = new ResilienceRig(Options());
        var calls = 0;
        rig.Inner.OnAny((_, _, _) => Task.FromResult(Response(++calls == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK)));
        await Fail(rig, HostA, 1);

        rig.Clock.Advance(TimeSpan.FromMinutes(2));
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable));
        await Fail(rig, HostA, 1);
        using var third = await rig.Run(rig.Send(HttpMethod.Get, HostA));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "only one failure in the window: still closed after the second");
            Assert.That(rig.Attempts, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task WithRetries_TheCircuitOpeningMidRetry_EndsTheRetries()
    {
        var options = Options();
        options.MaxRetries = 5;
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable));

        var ex = await FailsWith<GpuCloudException>(rig.Run(rig.Send(HttpMethod.Get, HostA)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.ProviderUnavailable));
            Assert.That(rig.Attempts, Is.EqualTo(2), "after the circuit opened, no retry reaches the provider");
        }
    }
}
