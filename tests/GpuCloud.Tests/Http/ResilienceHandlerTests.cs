using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// What the resilience handler does beside deciding on retries: a POST marked safe to repeat is retried, the responses
/// of attempts it gives up on are released, and a timed-out attempt is logged as a timeout.
/// </summary>
public class ResilienceHandlerTests : PlumbingTest
{
    [Test]
    public async Task APostMarkedRepeatable_TransientStatus_IsRetriedLikeADelete()
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Sequence((HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.OK, "{}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, ResilienceRig.Url) { Content = new StringContent("""{"ids": ["a"]}""") };
        request.Options.Set(GpuCloudResilienceHandler.RepeatableKey, true);

        using var response = await rig.Run(rig.Invoker.SendAsync(request, CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rig.Attempts, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task APostMarkedNotRepeatable_TransientStatus_IsNotRetried()
    {
        using var rig = new ResilienceRig();
        rig.Inner.OnAny(Always(HttpStatusCode.ServiceUnavailable));
        using var request = new HttpRequestMessage(HttpMethod.Post, ResilienceRig.Url) { Content = new StringContent("{}") };
        request.Options.Set(GpuCloudResilienceHandler.RepeatableKey, false);

        using var response = await rig.Run(rig.Invoker.SendAsync(request, CancellationToken.None));

        Assert.That(rig.Attempts, Is.EqualTo(1));
    }

    [Test]
    public async Task TheResponsesOfRetriedAttempts_AreReleased_TheLastOneIsNot()
    {
        using var rig = new ResilienceRig();
        var answers = new List<HttpResponseMessage>();
        rig.Inner.OnAny((_, call, _) =>
        {
            var answer = Response(call < 3 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, $$"""{"call": {{call}}}""");
            answers.Add(answer);
            return Task.FromResult(answer);
        });

        using var response = await rig.Run(rig.Send(HttpMethod.Get));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers, Has.Count.EqualTo(3));
            Assert.That(() => answers[0].Content.ReadAsStringAsync(), Throws.InstanceOf<ObjectDisposedException>(), "the first 503");
            Assert.That(() => answers[1].Content.ReadAsStringAsync(), Throws.InstanceOf<ObjectDisposedException>(), "the second 503");
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"call": 3}"""));
        }
    }

    [Test]
    public async Task ABodyOverTheLimit_ReleasesItsResponse()
    {
        var body = new DisposalTrackingContent(new byte[5000]);
        var inner = new ScriptedHandler();
        inner.OnAny((_, _, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = body }));
        using var handler = new GpuCloudResilienceHandler("test", new GpuCloudResilienceOptions()) { InnerHandler = inner, MaxBodyBytes = 1000 };
        using var invoker = new HttpMessageInvoker(handler);

        await FailsWith<HttpRequestException>(invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, ResilienceRig.Url), CancellationToken.None));

        Assert.That(body.Disposed, Is.True);
    }

    [Test]
    public async Task AnAttemptTimingOut_IsLoggedAsATimeout()
    {
        var options = ResilienceRig.Options(maxRetries: 0);
        options.AttemptTimeout = TimeSpan.FromSeconds(10);
        using var rig = new ResilienceRig(options, Watch.Logs.Factory);
        rig.Inner.OnAny(Hang);

        await FailsWith<GpuCloudException>(rig.Clock.RunAsync(rig.Send(HttpMethod.Get), TimeSpan.FromSeconds(30)));

        var failed = Watch.Logs.Records.Single(e => e.Id.Id == 1002);
        Assert.That(failed.Value("Error"), Is.EqualTo("Timeout"));
    }

    [Test]
    public async Task TheCallersCancellation_IsNotLoggedAsAFailedAttempt()
    {
        using var rig = new ResilienceRig(logs: Watch.Logs.Factory);
        rig.Inner.OnAny(Hang);
        using var cts = new CancellationTokenSource();

        var sending = rig.Send(HttpMethod.Get, cancellationToken: cts.Token);
        await rig.Inner.WaitForCountAsync(1);
        await cts.CancelAsync();

        await FailsWith<OperationCanceledException>(sending);
        Assert.That(Watch.Logs.Records.Where(e => e.Id.Id == 1002), Is.Empty, "the caller's own cancellation is no failure");
    }

    /// <summary>A body with a declared length that records whether it was disposed.</summary>
    private sealed class DisposalTrackingContent(byte[] body) : ByteArrayContent(body)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
