using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace GpuCloud.Tests.Support;

/// <summary>What reached the HTTP handler (after the provider's own handlers added their headers).</summary>
public sealed class RecordedRequest
{
    public required HttpMethod Method { get; init; }

    public required Uri Uri { get; init; }

    /// <summary>Request and content headers, values joined with ", ".</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The body as text; null when the request had no content.</summary>
    public string? Body { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public override string ToString() => $"{Method} {Uri}";
}

/// <summary>
/// A MockHttp handler with every request recorded. A request that no mock matches fails with
/// <see cref="InvalidOperationException"/> naming it, so a test never passes on an unexpected call.
/// </summary>
public sealed class RecordingHttp : IDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Recorder _recorder;

    public RecordingHttp()
    {
        Mock.Fallback.Respond((Func<HttpRequestMessage, HttpResponseMessage>)(req =>
            throw new InvalidOperationException($"Unexpected request: {req.Method} {req.RequestUri}")));
        _recorder = new Recorder(_requests) { InnerHandler = Mock };
    }

    public MockHttpMessageHandler Mock { get; } = new();

    /// <summary>The handler to give to a provider.</summary>
    public HttpMessageHandler Handler => _recorder;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public IReadOnlyList<RecordedRequest> Sent(HttpMethod method, string url) =>
        Requests.Where(r => r.Method == method && r.Uri.GetLeftPart(UriPartial.Path) == url).ToArray();

    /// <summary>Answers <paramref name="method"/> <paramref name="url"/> (any query unless the url has one) with JSON.</summary>
    public MockedRequest Json(HttpMethod method, string url, string json, HttpStatusCode status = HttpStatusCode.OK)
    {
        var mocked = Mock.When(method, url);
        mocked.Respond(status, "application/json", json);
        return mocked;
    }

    /// <summary>Answers with a status and no content.</summary>
    public MockedRequest Status(HttpMethod method, string url, HttpStatusCode status)
    {
        var mocked = Mock.When(method, url);
        mocked.Respond(_ => new HttpResponseMessage(status));
        return mocked;
    }

    /// <summary>Answers with any body, media type and headers.</summary>
    public MockedRequest Raw(HttpMethod method, string url, HttpStatusCode status, string body, string mediaType = "application/json",
        Action<HttpResponseHeaders>? headers = null)
    {
        var mocked = Mock.When(method, url);
        mocked.Respond(_ =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
            headers?.Invoke(response.Headers);
            return response;
        });
        return mocked;
    }

    /// <summary>Answers successive requests with successive responses; the last one repeats.</summary>
    public MockedRequest Sequence(HttpMethod method, string url, params (HttpStatusCode Status, string? Json)[] responses)
    {
        var next = -1;
        var mocked = Mock.When(method, url);
        mocked.Respond(_ =>
        {
            var (status, json) = responses[Math.Min(Interlocked.Increment(ref next), responses.Length - 1)];
            var response = new HttpResponseMessage(status);
            if (json is not null) response.Content = new StringContent(json, Encoding.UTF8, "application/json");
            return response;
        });
        return mocked;
    }

    public void Dispose()
    {
        _recorder.Dispose();
        Mock.Dispose();
    }

    private sealed class Recorder(ConcurrentQueue<RecordedRequest> requests) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers) headers[name] = string.Join(", ", values);
            string? body = null;
            if (request.Content is not null)
            {
                foreach (var (name, values) in request.Content.Headers) headers[name] = string.Join(", ", values);
                body = await request.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
            }
            requests.Enqueue(new RecordedRequest { Method = request.Method, Uri = request.RequestUri!, Headers = headers, Body = body });
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
