using static GpuCloud.Tests.Support.ScriptedHandler;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// The one handler-stack builder (<see cref="HttpStack"/>): the resilience handler over the caller's primary handler or
/// its own, disposing only its own.
/// </summary>
public class HttpStackTests : PlumbingTest
{
    private sealed class DisposeTracking(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    [Test]
    public void AMissingSettingOrClock_IsRefused_NamingIt()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => HttpStack.Create("testcloud", null!, TimeProvider.System),
                Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("resilience"));
            Assert.That(() => HttpStack.Create("testcloud", ResilienceRig.Options(), null!),
                Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("timeProvider"),
                "not the system clock in its place: a stack on another clock than its caller's would time out on the wrong one");
        }
    }

    [Test]
    public async Task AStackOverTheCallersHandler_RetriesOnTheGivenClock_AndLeavesTheHandlerToTheCaller()
    {
        var clock = new TrackedClock();
        var scripted = new ScriptedHandler().OnAny(Sequence((HttpStatusCode.ServiceUnavailable, null), (HttpStatusCode.OK, "{}")));
        using var callers = new DisposeTracking(scripted);
        var stack = HttpStack.Create("testcloud", ResilienceRig.Options(), clock, primary: callers);

        using (var client = HttpStack.Client(stack.Handler, disposeHandler: false))
        {
            using var response = await clock.RunAsync(client.GetAsync(ResilienceRig.Url), ResilienceRig.BackoffHorizon);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        stack.Dispose();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scripted.Count, Is.EqualTo(2), "the 503 was retried by the stack's pipeline");
            Assert.That(callers.Disposed, Is.False, "the caller's handler (e.g. from IHttpClientFactory) is the caller's to dispose");
        }
    }

    [Test]
    public void AStackOverItsOwnHandler_DisposesIt()
    {
        var stack = HttpStack.Create("testcloud", ResilienceRig.Options(), new TrackedClock());
        stack.Dispose();

        using var invoker = new HttpMessageInvoker(stack.Handler, disposeHandler: false);
        Assert.That(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, ResilienceRig.Url), CancellationToken.None),
            Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void TheStacksClient_HasNoTimeoutOfItsOwn()
    {
        using var stack = HttpStack.Create("testcloud", ResilienceRig.Options(), new TrackedClock(), primary: new ScriptedHandler());
        using var client = HttpStack.Client(stack.Handler, disposeHandler: false);

        Assert.That(client.Timeout, Is.EqualTo(Timeout.InfiniteTimeSpan));
    }
}
