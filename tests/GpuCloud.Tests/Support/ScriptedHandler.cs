using System.Net.Http.Headers;

namespace GpuCloud.Tests.Support;

/// <summary>One request as it reached <see cref="ScriptedHandler"/>.</summary>
public sealed record SentRequest(int Number, HttpMethod Method, Uri Uri, string? Authorization, string? ApiKey, string? Body)
{
    /// <summary>The URL without its query.</summary>
    public string Url => Uri.GetLeftPart(UriPartial.Path);

    public override string ToString() => $"{Method} {Uri}";
}

/// <summary>
/// The innermost HTTP handler for plumbing tests: answers by route (method and URL without query) or with a
/// catch-all, numbers every call per route, and lets a test wait (without sleeping) for requests to arrive.
/// A request no route matches fails the test's call with <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class ScriptedHandler : HttpMessageHandler
{
    /// <summary>Answers one call; <c>call</c> is 1 for the first request on the route.</summary>
    public delegate Task<HttpResponseMessage> Responder(HttpRequestMessage request, int call, CancellationToken cancellationToken);

    private readonly object _gate = new();
    private readonly List<Route> _routes = [];
    private readonly List<SentRequest> _sent = [];
    private Responder? _any;
    private int _anyCalls;
    private TaskCompletionSource _arrived = NewSignal();

    /// <summary>Answers <paramref name="method"/> <paramref name="url"/> (compared without the query).</summary>
    public ScriptedHandler On(HttpMethod method, string url, Responder respond)
    {
        lock (_gate) _routes.Add(new Route(method, url.TrimEnd('/'), respond));
        return this;
    }

    /// <summary>Answers every request no route matches.</summary>
    public ScriptedHandler OnAny(Responder respond)
    {
        _any = respond;
        return this;
    }

    public IReadOnlyList<SentRequest> Requests
    {
        get { lock (_gate) return _sent.ToArray(); }
    }

    public int Count => Requests.Count;

    public IReadOnlyList<SentRequest> Sent(HttpMethod method, string url) =>
        Requests.Where(r => r.Method == method && r.Url.TrimEnd('/') == url.TrimEnd('/')).ToArray();

    /// <summary>Completes once <paramref name="condition"/> holds for the requests received so far.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<SentRequest>, bool> condition)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (condition(_sent)) return;
                next = _arrived.Task;
            }
            await HangGuard.WhenAnyAsync(next).ConfigureAwait(false);
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> requests arrived.</summary>
    public Task WaitForCountAsync(int count) => WaitForAsync(r => r.Count >= count);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
        var url = request.RequestUri!.GetLeftPart(UriPartial.Path).TrimEnd('/');
        Responder? respond;
        int call;
        TaskCompletionSource arrived;
        lock (_gate)
        {
            var route = _routes.FirstOrDefault(r => r.Method == request.Method && r.Url == url);
            if (route is not null)
            {
                respond = route.Respond;
                call = ++route.Calls;
            }
            else
            {
                respond = _any;
                call = ++_anyCalls;
            }
            _sent.Add(new SentRequest(_sent.Count + 1, request.Method, request.RequestUri!,
                request.Headers.Authorization?.ToString(),
                request.Headers.TryGetValues("X-API-KEY", out var key) ? string.Join(", ", key) : null, body));
            arrived = _arrived;
            _arrived = NewSignal();
        }
        arrived.TrySetResult();
        if (respond is null) throw new InvalidOperationException($"Unexpected request: {request.Method} {request.RequestUri}");
        var response = await respond(request, call, cancellationToken).ConfigureAwait(false);
        response.RequestMessage ??= request;
        return response;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Route(HttpMethod method, string url, Responder respond)
    {
        public HttpMethod Method { get; } = method;

        public string Url { get; } = url;

        public Responder Respond { get; } = respond;

        public int Calls { get; set; }
    }

    // ------------------------------------------------------------------------------------------- responders

    public static HttpResponseMessage Response(HttpStatusCode status, string? json = null, Action<HttpResponseHeaders>? headers = null)
    {
        var response = new HttpResponseMessage(status);
        if (json is not null) response.Content = new StringContent(json, Encoding.UTF8, "application/json");
        headers?.Invoke(response.Headers);
        return response;
    }

    /// <summary>Always the same answer.</summary>
    public static Responder Always(HttpStatusCode status, string? json = null, Action<HttpResponseHeaders>? headers = null) =>
        (_, _, _) => Task.FromResult(Response(status, json, headers));

    /// <summary>Successive answers by call number; the last one repeats.</summary>
    public static Responder Sequence(params (HttpStatusCode Status, string? Json)[] answers) =>
        (_, call, _) =>
        {
            var (status, json) = answers[Math.Min(call, answers.Length) - 1];
            return Task.FromResult(Response(status, json));
        };

    /// <summary>Throws the exception made for each call.</summary>
    public static Responder Throwing(Func<int, Exception> error) =>
        (_, call, _) => Task.FromException<HttpResponseMessage>(error(call));

    /// <summary>Never answers: completes only when the request's token is cancelled.</summary>
    public static Responder Hang { get; } = async (_, _, ct) =>
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false);
        throw new InvalidOperationException("unreachable");
    };
}
