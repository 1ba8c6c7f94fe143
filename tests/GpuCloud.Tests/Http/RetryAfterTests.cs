using System.Net.Http.Headers;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>Retry-After is honoured up to MaxRetryAfter, on the fake clock; beyond it the caller gets RateLimited with RetryAfter.</summary>
public class RetryAfterTests : PlumbingTest
{
    private static Responder FirstWith(HttpStatusCode status, Action<HttpResponseHeaders> headers) =>
        (_, call, _) => Task.FromResult(call == 1 ? Response(status, """{"error": "slow down"}""", headers) : Response(HttpStatusCode.OK, "{}"));

    [Test]
    public async Task RetryAfterSeconds_TheSecondAttemptWaitsForExactlyThatLong()
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(FirstWith(HttpStatusCode.TooManyRequests, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5))));

        var sending = rig.Send(HttpMethod.Get);
        Assert.That(rig.Clock.NextWithin(ResilienceRig.BackoffHorizon), Is.EqualTo(TimeSpan.FromSeconds(5)), "the back-off is the provider's 5 s, not the jittered default");

        rig.Clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.That(rig.Attempts, Is.EqualTo(1), "nothing is resent before Retry-After has passed");
        Assert.That(sending.IsCompleted, Is.False);

        rig.Clock.Advance(TimeSpan.FromSeconds(0.2));
        await rig.Inner.WaitForCountAsync(2);
        using var response = await Guard(sending);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Attempts, Is.EqualTo(2));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task RetryAfterDate_On503_WaitsUntilThatTime()
    {
        using var rig = new ResilienceRig();
        var at = rig.Clock.GetUtcNow().AddSeconds(8);
        rig.Inner.OnAny(FirstWith(HttpStatusCode.ServiceUnavailable, h => h.RetryAfter = new RetryConditionHeaderValue(at)));

        var sending = rig.Send(HttpMethod.Get);
        rig.Clock.Advance(TimeSpan.FromSeconds(7.9));
        Assert.That(rig.Attempts, Is.EqualTo(1));

        rig.Clock.Advance(TimeSpan.FromSeconds(0.2));
        using var response = await Guard(sending);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RetryAfterEqualToMaxRetryAfter_IsStillHonoured()
    {
        var options = ResilienceRig.Options();
        options.MaxRetryAfter = TimeSpan.FromSeconds(30);
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(FirstWith(HttpStatusCode.TooManyRequests, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(30))));

        var sending = rig.Send(HttpMethod.Get);
        rig.Clock.Advance(TimeSpan.FromSeconds(30));
        using var response = await Guard(sending);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Attempts, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task RetryAfterBeyondMaxRetryAfter_IsNotRetried_TheResponseComesBackAtOnce()
    {
        var options = ResilienceRig.Options();
        options.MaxRetryAfter = TimeSpan.FromSeconds(30);
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(FirstWith(HttpStatusCode.TooManyRequests, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(31))));

        using var response = await Guard(rig.Send(HttpMethod.Get));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "no waiting: the caller decides");
            Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(31)));
            Assert.That(rig.Attempts, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task RetryAfterOnAPost_DoesNotMakeItRetryable()
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(FirstWith(HttpStatusCode.TooManyRequests, h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1))));

        using var response = await Guard(rig.Send(HttpMethod.Post));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(rig.Attempts, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task ThroughFluence_RetryAfterBeyondTheLimit_IsRateLimited_WithRetryAfter_AfterOneAttempt()
    {
        var inner = new ScriptedHandler();
        inner.On(HttpMethod.Get, FluenceJson.SshKeysUrl, Always(HttpStatusCode.TooManyRequests, """{"error": "Too many requests"}""",
            h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120))));
        using var resilience = new GpuCloudResilienceHandler("fluence", ResilienceRig.Options(), new TrackedClock()) { InnerHandler = inner };
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = PlumbingSecrets.FluenceKey, BaseUrl = new Uri(FluenceJson.Base) }, resilience);

        var ex = await FailsWith<GpuCloudException>(fluence.ListSshKeysAsync());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Code, Is.EqualTo(GpuCloudErrorCode.RateLimited));
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(120)));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(inner.Count, Is.EqualTo(1));
            Assert.That(inner.Requests[0].ApiKey, Is.EqualTo(PlumbingSecrets.FluenceKey), "the key header is added above the resilience handler");
        }
    }

    [Test]
    public async Task ThroughFluence_ShortRetryAfter_IsWaitedOut_AndTheCallSucceeds()
    {
        var clock = new TrackedClock();
        var inner = new ScriptedHandler();
        inner.On(HttpMethod.Get, FluenceJson.SshKeysUrl, (_, call, _) => Task.FromResult(call == 1
            ? Response(HttpStatusCode.TooManyRequests, """{"error": "Too many requests"}""", h => h.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2)))
            : Response(HttpStatusCode.OK, FluenceJson.SshKeyPage(0, 1, FluenceJson.SshKey(FluenceJson.DocKeyId, "laptop", FluenceJson.DocKey)))));
        using var resilience = new GpuCloudResilienceHandler("fluence", ResilienceRig.Options(), clock) { InnerHandler = inner };
        using var fluence = new FluenceProvider(new FluenceOptions { ApiKey = PlumbingSecrets.FluenceKey, BaseUrl = new Uri(FluenceJson.Base) }, resilience);

        var listing = fluence.ListSshKeysAsync();
        var wait = await clock.WaitForTimerWithinAsync(ResilienceRig.BackoffHorizon);
        Assert.That(wait, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(inner.Count, Is.EqualTo(1));
        clock.Advance(wait);
        var keys = await Guard(listing);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Name), Is.EqualTo(new[] { "laptop" }));
            Assert.That(inner.Count, Is.EqualTo(2));
        }
    }
}
