using Microsoft.Extensions.Logging;
using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// How many attempts GpuCloudResilienceHandler makes for each outcome and method. The handler is driven directly;
/// back-off delays pass on a fake clock (nothing sleeps), and the inner handler counts what reached it.
/// </summary>
public class ResilienceAttemptTests : PlumbingTest
{
    private static readonly HttpStatusCode[] Transient =
    [
        HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    private static readonly HttpStatusCode[] Permanent =
    [
        HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.NotFound,
        HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity, HttpStatusCode.NotImplemented,
    ];

    private static IEnumerable<TestCaseData> IdempotentTransient() =>
        from method in new[] { "GET", "PUT", "DELETE", "HEAD", "OPTIONS" }
        from status in Transient
        select new TestCaseData(method, status).SetArgDisplayNames(method, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static IEnumerable<TestCaseData> PermanentForEveryMethod() =>
        from method in new[] { "GET", "PUT", "DELETE", "POST" }
        from status in Permanent
        select new TestCaseData(method, status).SetArgDisplayNames(method, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));

    // ------------------------------------------------------------------------------------------- statuses

    [Test]
    public async Task Get_503_503_200_TakesThreeAttempts_AndSucceeds()
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Sequence((HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.OK, "{}")));

        var sending = rig.Send(HttpMethod.Get);
        Assert.That(rig.Attempts, Is.EqualTo(1), "the retry waits for its back-off delay: nothing is resent before the clock moves");
        using var response = await rig.Run(sending);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Attempts, Is.EqualTo(3));
            Assert.That(rig.Inner.Requests.Select(r => r.Method), Is.All.EqualTo(HttpMethod.Get));
        }
    }

    [TestCaseSource(nameof(IdempotentTransient))]
    public async Task IdempotentMethod_TransientStatus_IsRetried(string method, HttpStatusCode status)
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Sequence((status, null), (HttpStatusCode.OK, null)));

        using var response = await rig.Run(rig.Send(new HttpMethod(method)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Attempts, Is.EqualTo(2));
        }
    }

    [TestCaseSource(nameof(PermanentForEveryMethod))]
    public async Task PermanentStatus_IsNeverRetried(string method, HttpStatusCode status)
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Sequence((status, null), (HttpStatusCode.OK, null)));

        using var response = await rig.Run(rig.Send(new HttpMethod(method)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(status));
            Assert.That(rig.Attempts, Is.EqualTo(1));
        }
    }

    [TestCase("POST")]
    [TestCase("PATCH")]
    public async Task NonIdempotentMethod_TransientStatus_IsNotRetried(string method)
    {
        foreach (var status in Transient)
        {
            using var rig = new ResilienceRig();
            rig.Inner.OnAny(Sequence((status, null), (HttpStatusCode.OK, null)));

            using var response = await rig.Run(rig.Send(new HttpMethod(method)));

            using (Assert.EnterMultipleScope())
            {
                Assert.That(response.StatusCode, Is.EqualTo(status), $"{method} {(int)status}");
                Assert.That(rig.Attempts, Is.EqualTo(1), $"{method} {(int)status}: a create must never be sent twice");
            }
        }
    }

    [Test]
    public async Task RetriesExhausted_ReturnsTheLastResponse_AfterOnePlusMaxRetriesAttempts()
    {
        using var rig = new ResilienceRig(ResilienceRig.Options(maxRetries: 3));
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable, """{"message": "down"}"""));

        using var response = await rig.Run(rig.Send(HttpMethod.Get));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("down"), "the final response is returned undisposed");
            Assert.That(rig.Attempts, Is.EqualTo(4));
        }
    }

    [TestCase(0, 1)]
    [TestCase(1, 2)]
    [TestCase(5, 6)]
    public async Task MaxRetries_BoundsTheAttempts(int maxRetries, int attempts)
    {
        using var rig = new ResilienceRig(ResilienceRig.Options(maxRetries));
        rig.Inner.OnAny(Always(HttpStatusCode.BadGateway));

        using var response = await rig.Run(rig.Send(HttpMethod.Get));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(rig.Attempts, Is.EqualTo(attempts));
        }
    }

    [Test]
    public async Task Disabled_SendsExactlyOnce_WhateverTheOutcome()
    {
        var options = ResilienceRig.Options();
        options.Enabled = false;
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(Sequence((HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.OK, null)));

        using var response = await Guard(rig.Send(HttpMethod.Get));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(rig.Attempts, Is.EqualTo(1));
            Assert.That(rig.Clock.PendingDelays, Is.Empty, "no pipeline, no timers");
        }
    }

    [Test]
    public async Task Disabled_ConnectionError_IsNotRetriedEither()
    {
        var options = ResilienceRig.Options();
        options.Enabled = false;
        using var rig = new ResilienceRig(options);
        rig.Inner.OnAny(Throwing(_ => new HttpRequestException(HttpRequestError.ConnectionError, "refused")));

        await FailsWith<HttpRequestException>(rig.Send(HttpMethod.Get));

        Assert.That(rig.Attempts, Is.EqualTo(1));
    }

    // ------------------------------------------------------------------------------------------- exceptions

    [TestCase(HttpRequestError.ConnectionError)]
    [TestCase(HttpRequestError.NameResolutionError)]
    public async Task Post_NeverConnected_IsRetried(HttpRequestError error)
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny((request, call, ct) => call == 1
            ? Task.FromException<HttpResponseMessage>(new HttpRequestException(error, "could not connect"))
            : Task.FromResult(Response(HttpStatusCode.Created, """{"id": "1"}""")));

        using var response = await rig.Run(rig.Send(HttpMethod.Post));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(rig.Attempts, Is.EqualTo(2));
            Assert.That(rig.Inner.Requests.Select(r => r.Body), Is.All.EqualTo("""{"name": "box"}"""), "the body is resent intact");
        }
    }

    [TestCase(HttpRequestError.ResponseEnded)]
    [TestCase(HttpRequestError.Unknown)]
    [TestCase(HttpRequestError.SecureConnectionError)]
    [TestCase(HttpRequestError.InvalidResponse)]
    public async Task Post_FailedAfterItMayHaveBeenSent_IsNotRetried(HttpRequestError error)
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Throwing(_ => new HttpRequestException(error, "the connection broke")));

        var ex = await FailsWith<HttpRequestException>(rig.Run(rig.Send(HttpMethod.Post)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.HttpRequestError, Is.EqualTo(error), "the exception is not wrapped");
            Assert.That(rig.Attempts, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Post_IOException_IsNotRetried()
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Throwing(_ => new IOException("reset by peer")));

        await FailsWith<IOException>(rig.Run(rig.Send(HttpMethod.Post)));

        Assert.That(rig.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task Post_ConnectionErrorEveryTime_StopsAfterMaxRetries()
    {
        using var rig = new ResilienceRig(ResilienceRig.Options(maxRetries: 2));
        rig.Inner.OnAny(Throwing(_ => new HttpRequestException(HttpRequestError.ConnectionError, "refused")));

        await FailsWith<HttpRequestException>(rig.Run(rig.Send(HttpMethod.Post)));

        Assert.That(rig.Attempts, Is.EqualTo(3));
    }

    private static IEnumerable<TestCaseData> GetExceptions()
    {
        yield return new TestCaseData(new Func<Exception>(() => new HttpRequestException(HttpRequestError.ResponseEnded, "ended"))).SetArgDisplayNames("ResponseEnded");
        yield return new TestCaseData(new Func<Exception>(() => new HttpRequestException("unknown"))).SetArgDisplayNames("HttpRequestException");
        yield return new TestCaseData(new Func<Exception>(() => new IOException("reset"))).SetArgDisplayNames("IOException");
    }

    [TestCaseSource(nameof(GetExceptions))]
    public async Task Get_TransportFailure_IsRetried(Func<Exception> error)
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny((_, call, _) => call < 3
            ? Task.FromException<HttpResponseMessage>(error())
            : Task.FromResult(Response(HttpStatusCode.OK)));

        using var response = await rig.Run(rig.Send(HttpMethod.Get));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Attempts, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Get_UnexpectedException_IsNotRetried()
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Throwing(_ => new InvalidOperationException("a bug, not a network failure")));

        await FailsWith<InvalidOperationException>(rig.Run(rig.Send(HttpMethod.Get)));

        Assert.That(rig.Attempts, Is.EqualTo(1));
    }

    // ------------------------------------------------------------------------------------------- logging

    [Test]
    public async Task EachAttempt_IsLogged_WithProviderMethodPathStatusDurationAndAttempt()
    {
        using var rig = new ResilienceRig(logs: Watch.Logs.Factory);
        rig.Inner.OnAny(async (_, call, ct) =>
        {
            // Each answer takes 3 s on the fake clock, so the logged duration is exact.
            await Task.Delay(TimeSpan.FromSeconds(3), rig.Clock, ct);
            return Response(call < 3 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        });

        using var response = await rig.Run(rig.Send(HttpMethod.Get, ResilienceRig.Url + "?page=2&filter=gpu"));

        var attempts = Watch.Logs.Records.Where(e => e.Id.Id == 1001).ToArray();
        Assert.That(attempts, Has.Length.EqualTo(3));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(attempts.Select(e => e.Category), Is.All.EqualTo("GpuCloud.Http.testcloud"));
            Assert.That(attempts.Select(e => e.Level), Is.All.EqualTo(LogLevel.Debug));
            Assert.That(attempts.Select(e => e.Value("Provider")), Is.All.EqualTo("testcloud"));
            Assert.That(attempts.Select(e => e.Value("Method")), Is.All.EqualTo("GET"));
            Assert.That(attempts.Select(e => e.Value("Path")), Is.All.EqualTo("/v1/things"), "the path only: never the query");
            Assert.That(attempts.Select(e => e.Value("Status")), Is.EqualTo(new[] { "503", "503", "200" }));
            Assert.That(attempts.Select(e => e.Value("Attempt")), Is.EqualTo(new[] { "1", "2", "3" }));
            Assert.That(attempts.Select(e => e.Value("DurationMs")), Is.All.EqualTo("3000"));
            Assert.That(attempts[2].Message, Is.EqualTo("testcloud GET /v1/things answered 200 in 3000 ms (attempt 3)"));
            Assert.That(Watch.Logs.AllTexts, Has.None.Contain("filter=gpu"));
        }
    }

    [Test]
    public async Task FailedAttempt_IsLoggedAsAWarning_WithTheErrorTypeOnly()
    {
        using var rig = new ResilienceRig(logs: Watch.Logs.Factory);
        rig.Inner.OnAny((_, call, _) => call == 1
            ? Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused by 10.1.2.3 with detail"))
            : Task.FromResult(Response(HttpStatusCode.OK)));

        using var response = await rig.Run(rig.Send(HttpMethod.Post));

        var failed = Watch.Logs.Records.Single(e => e.Id.Id == 1002);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(failed.Value("Error"), Is.EqualTo("HttpRequestException"));
            Assert.That(failed.Value("Attempt"), Is.EqualTo("1"));
            Assert.That(failed.Value("Method"), Is.EqualTo("POST"));
            Assert.That(failed.Value("Path"), Is.EqualTo("/v1/things"));
            Assert.That(failed.Exception, Is.Null, "no exception text (it may carry request details)");
            Assert.That(Watch.Logs.Records.Single(e => e.Id.Id == 1001).Value("Attempt"), Is.EqualTo("2"));
        }
    }

    [Test]
    public async Task ACancellationThatIsNotTheAttemptsTimeout_IsLoggedByItsType_NotAsATimeout()
    {
        using var rig = new ResilienceRig(logs: Watch.Logs.Factory);
        // Thrown by something below the handler on its own (no token of this call was cancelled).
        rig.Inner.OnAny((_, _, _) => Task.FromException<HttpResponseMessage>(new TaskCanceledException("a connection pool gave up")));

        Assert.CatchAsync(() => rig.Run(rig.Send(HttpMethod.Post)));

        Assert.That(Watch.Logs.Records.Single(e => e.Id.Id == 1002).Value("Error"), Is.EqualTo("TaskCanceledException"));
    }

    [Test]
    public async Task ARetriedResponse_IsDisposed_BeforeTheRetry()
    {
        using var rig = new ResilienceRig();
        var first = new DisposalWatchedResponse(HttpStatusCode.ServiceUnavailable);
        rig.Inner.OnAny((_, call, _) => Task.FromResult(call == 1 ? first : Response(HttpStatusCode.OK)));

        using var response = await rig.Run(rig.Send(HttpMethod.Get));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(first.Disposed, Is.True, "the 503 that was retried holds a connection until it is disposed");
        }
    }

    private sealed class DisposalWatchedResponse(HttpStatusCode status) : HttpResponseMessage(status)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    [Test]
    public void Options_OutOfRange_AreRefusedByTheConstructor_NamingTheSetting()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new GpuCloudResilienceHandler("p", new GpuCloudResilienceOptions { MaxRetries = 11 }),
                Throws.ArgumentException.With.Message.Contains("MaxRetries"));
            Assert.That(() => new GpuCloudResilienceHandler("p", new GpuCloudResilienceOptions { AttemptTimeout = TimeSpan.Zero }),
                Throws.ArgumentException.With.Message.Contains("AttemptTimeout"));
            Assert.That(() => new GpuCloudResilienceHandler("p", new GpuCloudResilienceOptions { CircuitBreakerMinimumThroughput = 1 }),
                Throws.ArgumentException.With.Message.Contains("CircuitBreakerMinimumThroughput"));
            Assert.That(() => new GpuCloudResilienceHandler("p", new GpuCloudResilienceOptions { MaxRetryAfter = TimeSpan.FromSeconds(-1) }),
                Throws.ArgumentException.With.Message.Contains("MaxRetryAfter"));
            Assert.That(() => new GpuCloudResilienceHandler("p", null!), Throws.ArgumentNullException);
        }
    }
}
