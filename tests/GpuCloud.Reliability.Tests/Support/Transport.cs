using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace GpuCloud.Reliability.Tests.Support;

/// <summary>One request that reached the bottom of a provider's pipeline (below the resilience handler): one attempt.</summary>
public sealed record SentRequest(string Provider, string Method, string Path, string? Authorization, string? ApiKey);

/// <summary>
/// A change applied to responses on their way back from the sandbox, for faults the sandbox cannot produce itself
/// (no Retry-After, an empty body, missing or extra fields, a 50 MB array, a slow response path).
/// <see cref="Apply"/> returns the replacement, or null when the transform does not apply to this response.
/// </summary>
public sealed class ResponseTransform
{
    private int _applied;
    private int _remaining = int.MaxValue;

    public required string Name { get; init; }

    public string? PathPrefix { get; init; }

    public string? Method { get; init; }

    /// <summary>Apply to at most this many responses; null means every matching one.</summary>
    public int? Count
    {
        get => _remaining == int.MaxValue ? null : _remaining;
        init => _remaining = value ?? int.MaxValue;
    }

    public required Func<HttpRequestMessage, HttpResponseMessage, CancellationToken, Task<HttpResponseMessage?>> Apply { get; init; }

    public int Applied => Volatile.Read(ref _applied);

    internal bool Matches(HttpRequestMessage request) =>
        Volatile.Read(ref _remaining) > 0
        && (PathPrefix is null || (request.RequestUri?.AbsolutePath ?? "").StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase))
        && (Method is null || string.Equals(Method, request.Method.Method, StringComparison.OrdinalIgnoreCase));

    internal bool TryConsume()
    {
        if (_remaining != int.MaxValue && Interlocked.Decrement(ref _remaining) < 0) return false;
        Interlocked.Increment(ref _applied);
        return true;
    }
}

/// <summary>
/// The primary handlers of a composed client: records every attempt that leaves the library (method, path, and the
/// credentials headers, to prove what was and was not sent) and applies <see cref="ResponseTransform"/>s.
/// </summary>
public sealed class Transport : IDisposable
{
    private readonly ConcurrentQueue<SentRequest> _sent = new();
    private readonly ConcurrentQueue<(string Provider, string Name)> _lostAnswers = new();
    private readonly List<ResponseTransform> _transforms = [];
    private readonly List<HttpMessageHandler> _handlers = [];
    private readonly HttpMessageHandler? _terminal;

    /// <summary>Forwards to the network (the sandbox on loopback).</summary>
    public Transport()
    {
    }

    /// <summary>Forwards to <paramref name="terminal"/> instead of the network (e.g. a MockHttp handler); not disposed here.</summary>
    public Transport(HttpMessageHandler terminal) => _terminal = terminal;

    /// <summary>Called for every attempt before it is sent (on the sending thread).</summary>
    public Action<HttpRequestMessage>? OnSend { get; set; }

    public IReadOnlyList<SentRequest> Sent => _sent.ToArray();

    /// <summary>Creates (POSTs with a JSON <c>name</c>) that got no answer (connection failed, attempt timed out), by provider and name.</summary>
    public IReadOnlyList<(string Provider, string Name)> LostAnswers => _lostAnswers.ToArray();

    public int Count(string? method = null, string? pathPrefix = null) => _sent.Count(r =>
        (method is null || r.Method == method) && (pathPrefix is null || r.Path.StartsWith(pathPrefix, StringComparison.OrdinalIgnoreCase)));

    public ResponseTransform Add(ResponseTransform transform)
    {
        lock (_transforms) _transforms.Add(transform);
        return transform;
    }

    public void ClearTransforms()
    {
        lock (_transforms) _transforms.Clear();
    }

    /// <summary>A primary handler for one provider's pipeline.</summary>
    public HttpMessageHandler Handler(string provider)
    {
        var inner = _terminal is null
            ? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), MaxConnectionsPerServer = 64 }
            : (HttpMessageHandler)new NonDisposing(_terminal);
        var handler = new Recorder(this, provider) { InnerHandler = inner };
        lock (_handlers) _handlers.Add(handler);
        return handler;
    }

    public void Dispose()
    {
        lock (_handlers)
        {
            foreach (var h in _handlers) h.Dispose();
            _handlers.Clear();
        }
    }

    private ResponseTransform[] Matching(HttpRequestMessage request)
    {
        lock (_transforms) return _transforms.Where(t => t.Matches(request)).ToArray();
    }

    private sealed class Recorder(Transport owner, string provider) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            owner._sent.Enqueue(new SentRequest(provider, request.Method.Method, request.RequestUri?.AbsolutePath ?? "",
                request.Headers.Authorization?.ToString(),
                request.Headers.TryGetValues("X-API-KEY", out var keys) ? string.Join(",", keys) : null));
            owner.OnSend?.Invoke(request);
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException
                                       && request.Method == HttpMethod.Post && request.Content?.Headers.ContentType?.MediaType == "application/json")
            {
                // A create whose answer never arrived: remember its name, to check the library found what it made.
                var body = await request.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
                if (NameIn(body) is { } name) owner._lostAnswers.Enqueue((provider, name));
                throw;
            }
            foreach (var transform in owner.Matching(request))
            {
                var replaced = await transform.Apply(request, response, cancellationToken).ConfigureAwait(false);
                if (replaced is null || !transform.TryConsume()) continue;
                if (!ReferenceEquals(replaced, response)) response.Dispose();
                response = replaced;
            }
            return response;
        }
    }

    private static string? NameIn(string json)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(json) is System.Text.Json.Nodes.JsonObject body && body["name"] is System.Text.Json.Nodes.JsonValue name
                && name.TryGetValue<string>(out var value) ? value : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // an empty body (start, stop) or not JSON: not a create
        }
    }

    private sealed class NonDisposing(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The terminal handler belongs to the test.
        }
    }
}

/// <summary>The client-side faults, as <see cref="ResponseTransform"/>s.</summary>
public static class Transforms
{
    /// <summary>Removes <c>Retry-After</c> from 429 answers (the sandbox always sends one).</summary>
    public static ResponseTransform StripRetryAfter(string? prefix, string? method) => new()
    {
        Name = "no Retry-After", PathPrefix = prefix, Method = method,
        Apply = (_, response, _) =>
        {
            if (response.StatusCode != HttpStatusCode.TooManyRequests) return Task.FromResult<HttpResponseMessage?>(null);
            response.Headers.RetryAfter = null;
            return Task.FromResult<HttpResponseMessage?>(response);
        },
    };

    /// <summary>A success that arrives with no body at all (Content-Length: 0).</summary>
    public static ResponseTransform EmptyBody(string? prefix, string? method) => new()
    {
        Name = "empty body", PathPrefix = prefix, Method = method,
        Apply = async (request, response, ct) =>
        {
            if (!response.IsSuccessStatusCode) return null;
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            return body.Length == 0 ? null : Replace(request, response, []);
        },
    };

    /// <summary>Fields every spec marks optional, dropped from every JSON object of the answer.</summary>
    public static readonly string[] OptionalFields =
    [
        // Fluence (specs/fluence.openapi.yaml: only ids are required)
        "resources", "domain", "location", "created_at", "updated_at", "container_info", "container_status", "billing",
        "network", "pricing", "supply", "gpu_model", "attributes", "forwarded_ports",
        // Fluidstack instance types (gpuModel/gpuCount and their snake_case spellings are optional)
        "gpuModel", "gpuCount", "gpu_model", "gpu_count",
    ];

    public static ResponseTransform MissingOptionalFields(string? prefix, string? method) => Json("missing optional fields", prefix, method, node =>
    {
        var removed = 0;
        Walk(node, obj =>
        {
            foreach (var name in OptionalFields)
                if (obj.Remove(name)) removed++;
        });
        return removed > 0;
    });

    public static ResponseTransform ExtraFields(string? prefix, string? method) => Json("extra fields", prefix, method, node =>
    {
        var added = 0;
        Walk(node, obj =>
        {
            obj["x_gpucloud_unknown"] = new JsonObject { ["nested"] = new JsonArray(1, "two", null, new JsonObject { ["deep"] = true }), ["n"] = 1.5e300 };
            obj["zz_new_flag"] = false;
            added++;
        });
        return added > 0;
    });

    /// <summary>Repeats the elements of a JSON array answer until it is at least <paramref name="bytes"/> long (50 MB by default).</summary>
    public static ResponseTransform HugeArray(string? prefix, string? method, int? count = null, int bytes = 50 * 1024 * 1024) => new()
    {
        Name = "50 MB array", PathPrefix = prefix, Method = method, Count = count,
        Apply = async (request, response, ct) =>
        {
            // Fluidstack capacity entries are summed per type: a list repeated 100,000 times means something else (and
            // overflows; see ResponseShapeTests). The instance types of the same call are the list that grows.
            if (!response.IsSuccessStatusCode || request.RequestUri!.AbsolutePath.EndsWith("/capacity", StringComparison.Ordinal)) return null;
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(body).Trim();
            if (!text.StartsWith('[') || !text.EndsWith(']')) return null;
            var inner = Encoding.UTF8.GetBytes(text[1..^1].Trim());
            if (inner.Length == 0) return null;
            var copies = (bytes + inner.Length) / (inner.Length + 1) + 1;
            var huge = new byte[2 + copies * (inner.Length + 1) - 1];
            huge[0] = (byte)'[';
            var at = 1;
            for (var i = 0; i < copies; i++)
            {
                if (i > 0) huge[at++] = (byte)',';
                inner.CopyTo(huge, at);
                at += inner.Length;
            }
            huge[at] = (byte)']';
            return Replace(request, response, huge);
        },
    };

    /// <summary>Holds a response (already processed by the server) until <paramref name="release"/> completes or the caller cancels.</summary>
    public static ResponseTransform HoldResponse(string? prefix, string? method, Task release, TaskCompletionSource? held = null) => new()
    {
        Name = "held response", PathPrefix = prefix, Method = method,
        Apply = async (_, response, ct) =>
        {
            held?.TrySetResult();
            await release.WaitAsync(ct).ConfigureAwait(false);
            return response;
        },
    };

    private static ResponseTransform Json(string name, string? prefix, string? method, Func<JsonNode, bool> change) => new()
    {
        Name = name, PathPrefix = prefix, Method = method,
        Apply = async (request, response, ct) =>
        {
            if (!response.IsSuccessStatusCode) return null;
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            JsonNode? node;
            try { node = body.Length == 0 ? null : JsonNode.Parse(body); }
            catch (System.Text.Json.JsonException) { return null; }
            if (node is null || !change(node)) return null;
            return Replace(request, response, Encoding.UTF8.GetBytes(node.ToJsonString()));
        },
    };

    /// <summary>Visits every JSON object that is a schema object: string maps (<c>tags</c>) are values, not objects with fields.</summary>
    private static void Walk(JsonNode node, Action<JsonObject> visit, string? key = null)
    {
        switch (node)
        {
            case JsonObject obj when key is "tags":
                break;
            case JsonObject obj:
                var children = obj.ToArray(); // before the visit adds anything
                visit(obj);
                foreach (var (name, child) in children)
                    if (child is not null) Walk(child, visit, name);
                break;
            case JsonArray array:
                foreach (var child in array)
                    if (child is not null) Walk(child, visit, key);
                break;
        }
    }

    private static HttpResponseMessage Replace(HttpRequestMessage request, HttpResponseMessage original, byte[] body)
    {
        var content = new ByteArrayContent(body);
        foreach (var header in original.Content.Headers)
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        var replaced = new HttpResponseMessage(original.StatusCode) { Content = content, RequestMessage = request, Version = original.Version, ReasonPhrase = original.ReasonPhrase };
        foreach (var header in original.Headers) replaced.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return replaced;
    }
}
