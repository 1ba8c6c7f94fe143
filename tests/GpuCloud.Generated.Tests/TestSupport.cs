using System.Reflection;
using System.Runtime.ExceptionServices;
using Newtonsoft.Json;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// One row of a client's operations table: which interface method is called, how, and the exact request the
/// provider documents for it. The response is canned (a documented example, or no content).
/// </summary>
/// <typeparam name="TClient">The generated client interface, e.g. IFluenceClient.</typeparam>
public sealed class OperationCase<TClient>
    where TClient : class
{
    /// <summary>Name of the interface method the call must go through (checked by a recording proxy).</summary>
    public required string Operation { get; init; }

    /// <summary>Distinguishes several rows for one operation (e.g. with and without a query parameter).</summary>
    public string? Variant { get; init; }

    public required HttpMethod Method { get; init; }

    /// <summary>The exact absolute URL, query string included.</summary>
    public required string Url { get; init; }

    public required Func<TClient, Task> Call { get; init; }

    public HttpStatusCode ResponseStatus { get; init; } = HttpStatusCode.OK;

    /// <summary>JSON response body, or null for a response without content (204, 202, ...).</summary>
    public string? ResponseBody { get; init; }

    /// <summary>JSON the request body must equal (property order ignored); null when no JSON body is sent.</summary>
    public string? RequestBody { get; init; }

    /// <summary>Expected X-PROJECT-ID header value; null means the header must be absent.</summary>
    public string? ProjectId { get; init; }

    public override string ToString() => Variant is null ? Operation : $"{Operation} ({Variant})";
}

/// <summary>A documented error response of one operation, and what the exception must carry.</summary>
/// <typeparam name="TClient">The generated client interface.</typeparam>
public sealed class ErrorCase<TClient>
    where TClient : class
{
    public required string Operation { get; init; }

    public required HttpMethod Method { get; init; }

    public required string Url { get; init; }

    public required Func<TClient, Task> Call { get; init; }

    public required int Status { get; init; }

    /// <summary>The raw error body the server sends.</summary>
    public required string Body { get; init; }

    /// <summary>The human-readable message the typed Result must expose.</summary>
    public required string ExpectedMessage { get; init; }

    public override string ToString() => $"{Operation} {Status}";
}

/// <summary>What reached the HTTP handler, copied before the generated client disposes the request.</summary>
public sealed class RecordedRequest
{
    public required HttpMethod Method { get; init; }

    public required Uri Uri { get; init; }

    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>Request content as text; null when the request had no content at all.</summary>
    public string? Body { get; init; }

    public string? ContentType { get; init; }

    public static async Task<RecordedRequest> FromAsync(HttpRequestMessage request)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new RecordedRequest
        {
            Method = request.Method,
            Uri = request.RequestUri!,
            Headers = headers,
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync().ConfigureAwait(false),
            ContentType = request.Content?.Headers.ContentType?.ToString(),
        };
    }
}

/// <summary>
/// Forwards every call to the real client and records which interface method was invoked, so an operations
/// table row cannot silently call a different operation than the one it names.
/// </summary>
/// <typeparam name="T">The client interface.</typeparam>
public class RecordingProxy<T> : DispatchProxy
    where T : class
{
    private T? _target;

    public List<string> Calls { get; } = [];

    public static (T Proxy, RecordingProxy<T> Recorder) Wrap(T target)
    {
        var proxy = Create<T, RecordingProxy<T>>();
        var recorder = (RecordingProxy<T>)(object)proxy;
        recorder._target = target;
        return (proxy, recorder);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.Add(targetMethod.Name);
        try
        {
            return targetMethod.Invoke(_target, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}

/// <summary>Shared plumbing for the client tests.</summary>
public static class Mock
{
    public const string Json = "application/json";

    /// <summary>A handler whose unmatched requests fail the test with a description of the request.</summary>
    public static MockHttpMessageHandler CreateHandler()
    {
        var mock = new MockHttpMessageHandler();
        mock.Fallback.Respond(request =>
        {
            var headers = string.Join("; ", request.Headers.Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
            throw new AssertionException($"Unexpected request {request.Method} {request.RequestUri} [{headers}]");
        });
        return mock;
    }

    /// <summary>Responds with <paramref name="status"/> and the JSON <paramref name="body"/> (none when null), recording the request.</summary>
    public static MockedRequest RespondAndRecord(this MockedRequest mocked, List<RecordedRequest> log, HttpStatusCode status, string? body)
    {
        mocked.Respond(async request =>
        {
            log.Add(await RecordedRequest.FromAsync(request).ConfigureAwait(false));
            var response = new HttpResponseMessage(status);
            if (body is not null)
            {
                response.Content = new StringContent(body, Encoding.UTF8, Json);
            }

            return response;
        });
        return mocked;
    }

    /// <summary>
    /// Runs one operations-table row against a mock that expects exactly the documented method, URL and auth
    /// header, and returns the recorded request for further checks.
    /// </summary>
    public static async Task<RecordedRequest> RunAsync<TClient>(
        OperationCase<TClient> operation,
        Func<HttpClient, TClient> createClient,
        Action<HttpRequestHeaders> authenticate,
        string authHeader,
        string authValue)
        where TClient : class
    {
        using var mock = CreateHandler();
        var log = new List<RecordedRequest>();
        mock.Expect(operation.Method, operation.Url)
            .WithHeaders(authHeader, authValue)
            .RespondAndRecord(log, operation.ResponseStatus, operation.ResponseBody);
        using var http = mock.ToHttpClient();
        authenticate(http.DefaultRequestHeaders);
        var (proxy, recorder) = RecordingProxy<TClient>.Wrap(createClient(http));

        await operation.Call(proxy).ConfigureAwait(false);

        mock.VerifyNoOutstandingExpectation();
        Assert.That(recorder.Calls, Is.EqualTo(new[] { operation.Operation }), "interface methods called by the table row");
        Assert.That(log, Has.Count.EqualTo(1), "requests sent");
        return log[0];
    }

    /// <summary>Asserts the recorded request is exactly the one the table row documents.</summary>
    public static void AssertMatches<TClient>(RecordedRequest request, OperationCase<TClient> operation, string authHeader, string authValue)
        where TClient : class
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo(operation.Method), "method");
            Assert.That(request.Uri.AbsoluteUri, Is.EqualTo(operation.Url), "URL");
            Assert.That(request.Headers, Does.ContainKey(authHeader).WithValue(authValue), "auth header");
            if (operation.ProjectId is null)
            {
                Assert.That(request.Headers, Does.Not.ContainKey("X-PROJECT-ID"), "X-PROJECT-ID must not be sent");
            }
            else
            {
                Assert.That(request.Headers, Does.ContainKey("X-PROJECT-ID").WithValue(operation.ProjectId), "X-PROJECT-ID");
            }

            if (operation.RequestBody is null)
            {
                Assert.That(request.Body, Is.Null.Or.Empty, "request body");
            }
            else
            {
                Assert.That(request.ContentType, Does.StartWith(Json), "Content-Type");
                Assert.That(Normalize(request.Body), Is.EqualTo(Normalize(operation.RequestBody)), "request body JSON");
            }
        }
    }

    /// <summary>JSON with object properties sorted, so two documents compare equal regardless of property order.</summary>
    public static string Normalize(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return "<no content>";
        }

        return Sort(JToken.Parse(json)).ToString(Formatting.Indented);

        static JToken Sort(JToken token) => token switch
        {
            JObject o => new JObject(o.Properties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new JProperty(p.Name, Sort(p.Value)))),
            JArray a => new JArray(a.Select(Sort)),
            _ => token.DeepClone(),
        };
    }

    /// <summary>The property names of the JSON object at <paramref name="path"/> in a request body.</summary>
    public static IEnumerable<string> PropertyNames(string json, string path = "")
    {
        var token = path.Length == 0 ? JToken.Parse(json) : JToken.Parse(json).SelectToken(path);
        return token is JObject o ? o.Properties().Select(p => p.Name) : [];
    }
}
