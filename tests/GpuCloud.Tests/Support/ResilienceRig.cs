using Microsoft.Extensions.Logging;

namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// <see cref="GpuCloudResilienceHandler"/> driven directly: an <see cref="HttpMessageInvoker"/> over it, a
/// <see cref="ScriptedHandler"/> under it counting attempts, and a <see cref="TrackedClock"/> for every delay and timeout.
/// </summary>
internal sealed class ResilienceRig : IDisposable
{
    public const string Url = "https://api.example.test/v1/things";

    /// <summary>Long enough that no test reaches them unless it means to.</summary>
    public static GpuCloudResilienceOptions Options(int maxRetries = 3) => new()
    {
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromSeconds(1),
        AttemptTimeout = TimeSpan.FromMinutes(10),
        TotalTimeout = TimeSpan.FromHours(1),
    };

    /// <summary>Retry back-off stays far below this; the timeouts above stay far beyond it.</summary>
    public static readonly TimeSpan BackoffHorizon = TimeSpan.FromMinutes(1);

    public ResilienceRig(GpuCloudResilienceOptions? options = null, ILoggerFactory? logs = null, string provider = "testcloud")
    {
        Handler = new GpuCloudResilienceHandler(provider, options ?? Options(), Clock, logs?.CreateLogger("GpuCloud.Http." + provider))
        {
            InnerHandler = Inner,
        };
        Invoker = new HttpMessageInvoker(Handler, disposeHandler: true);
    }

    public ScriptedHandler Inner { get; } = new();

    public TrackedClock Clock { get; } = new();

    public GpuCloudResilienceHandler Handler { get; }

    public HttpMessageInvoker Invoker { get; }

    public int Attempts => Inner.Count;

    /// <summary>Starts a request (a body for POST, PUT and PATCH).</summary>
    public Task<HttpResponseMessage> Send(HttpMethod method, string url = Url, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(method, url);
        if (method == HttpMethod.Post || method == HttpMethod.Put || method == HttpMethod.Patch)
            request.Content = new StringContent("""{"name": "box"}""", System.Text.Encoding.UTF8, "application/json");
        return Invoker.SendAsync(request, cancellationToken);
    }

    /// <summary>Runs a request to the end, moving the clock through the back-off delays only.</summary>
    public Task<HttpResponseMessage> Run(Task<HttpResponseMessage> sending) => Clock.RunAsync(sending, BackoffHorizon);

    public void Dispose() => Invoker.Dispose();
}
